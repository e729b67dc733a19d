"""Database errors as an operator may read them in a log: what failed, never the values.

A failed statement's error text carries personal data twice: SQLAlchemy lists the
bound values (the engines hide them, `hide_parameters`), and PostgreSQL's own
message adds a DETAIL that quotes the row ("Failing row contains (..., Alex Kim,
alex@example.com, ...)", "Key (tenant_id, external_ref)=(..., ATS-1)"). libpq would
leave the DETAIL out at its terse verbosity, which psycopg does not expose; so the
error is described here from its parts instead: the exception's class, the
server's primary message, the constraint and the statement, without values.
"""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import DBAPIError


def described(error: BaseException) -> str:
    """One line naming the error; a database error without the values it was about."""
    if not isinstance(error, DBAPIError):
        return repr(error)
    orig = error.orig
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or (str(orig).strip().splitlines() or [""])[0]
    constraint = getattr(diag, "constraint_name", None)
    parts = [f"{type(error).__name__} ({type(orig).__module__}.{type(orig).__name__}): {primary}"]
    if constraint:
        parts.append(f"[constraint: {constraint}]")
    if error.statement:
        parts.append(f"[SQL: {error.statement[:1000]}]")
    return " ".join(parts)


def log_failure(log: logging.Logger, message: str, error: BaseException, *args: object) -> None:
    """`log.exception(message, *args)` for `error`; a database error's text and its
    driver's (which quote the row) are replaced by `described` and its own frames."""
    if not isinstance(error, DBAPIError):
        log.error(message, *args, exc_info=error)
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(f"{message}: %s\nTraceback (most recent call last):\n%s", *args, described(error), frames.rstrip("\n"))
