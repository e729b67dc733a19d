"""LinkedIn notes: length as LinkedIn counts it, and shortening built-in notes to fit.

Rule 6: the note must fit the limit (policy `linkedin_note_max_chars`, 100-300).
Built-in notes always fit: the renderer tries ever shorter wordings (the topic
goes first, then the job title, then the warm phrases), signed with the
candidate's first name before a wording is given up, and, as a last resort,
truncates the long names with an ellipsis, sharing the room between them so that
the contact's name and the company always survive (rulebook, "Messages").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ELLIPSIS = "…"

#: The names the shortest wording prints exactly once each, in priority order.
_SHRINKABLE = ("interviewer_name", "company_name", "candidate_name")


def note_length(text: str) -> int:
    """Length in UTF-16 code units, as a browser counts it (an emoji counts 2).

    Never less than `len(text)`, so a note that fits by this measure fits
    whichever way LinkedIn counts.
    """
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` units, ending with an ellipsis when cut."""
    if note_length(text) <= limit:
        return text
    if limit <= 0:
        return ""
    out: list[str] = []
    used = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > limit - 1:
            break
        out.append(ch)
        used += width
    return "".join(out).rstrip() + ELLIPSIS


def _share(lengths: list[int], budget: int) -> int:
    """The largest cap c with sum(min(length, c)) <= budget (water-filling)."""
    remaining = budget
    for i, length in enumerate(sorted(lengths)):
        left = len(lengths) - i
        if length * left <= remaining:
            remaining -= length
            continue
        return remaining // left
    return max(lengths, default=0)


def _first_name(name: str) -> str:
    """The first word of `name` ("Jordan" of "Jordan Müller"), or `name` when it has one word."""
    words = name.split()
    return words[0] if words else name


def fit_note(
    render: Callable[[str, dict[str, Any]], str], context: dict[str, Any], limit: int
) -> str:
    """The richest built-in wording that fits `limit`.

    `render(variant, context)` renders the variant ("txt", "short.txt", "min.txt")
    and returns tidy text.
    """
    # The candidate's own name yields before the contact's and the company's: LinkedIn shows
    # the sender's full name beside the note, and "Maximiliane" signs it as well as
    # "Maximiliane Alexandra von Hohenzollern-Sigmaringen", where a cut "Maximiliane Alexandra
    # von Hohen…" or a company cut for it does not.
    first_name = {**context, "candidate_name": _first_name(context["candidate_name"])}
    attempts = [("txt", context)]
    if context["topic"] is not None:
        attempts.append(("txt", {**context, "topic": None, "topics": [], "topics_phrase": None}))
    attempts += [("short.txt", context), ("short.txt", first_name), ("min.txt", context), ("min.txt", first_name)]
    for variant, ctx in attempts:
        text = render(variant, ctx)
        if note_length(text) <= limit:
            return text
    context = first_name
    # Last resort: the shortest wording, with the names shortened fairly.
    # One-letter stand-ins measure the fixed words (empty ones would let tidying
    # strip a space the real names keep).
    stand_ins = {name: "X" for name in _SHRINKABLE}
    overhead = note_length(render("min.txt", {**context, **stand_ins})) - len(stand_ins)
    lengths = [note_length(context[name]) for name in _SHRINKABLE]
    cap = _share(lengths, limit - overhead)
    shortened = {name: truncate(context[name], cap) for name in _SHRINKABLE}
    # A sentence that ends on an ellipsis takes no full stop after it ("at Internationale…."),
    # in each of the four languages; dropping it only shortens the note.
    return render("min.txt", {**context, **shortened}).replace(ELLIPSIS + ".", ELLIPSIS)
