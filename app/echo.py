"""How a string the client sent is echoed back in an error message.

A problem's `detail` names the id or value it refuses, so that a client can tell
which one; but a path id has no length limit of its own (a URL of ~60 KB reaches
the route), and echoing it whole made a 404 as large as the request, written again
into every log and client error report that keeps it. Its start identifies it.
Imported by every layer that words errors (services, messages, api), so it sits
outside them all.
"""

from __future__ import annotations

#: Characters of a client's string kept in an error message.
ECHO_MAX = 64


def clipped(value: str) -> str:
    """`value`, or its first `ECHO_MAX` characters and "…" when it is longer."""
    return value if len(value) <= ECHO_MAX else value[:ECHO_MAX] + "…"
