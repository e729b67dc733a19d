"""If-Match on PATCH, PUT and DELETE (api-contract "Writes")."""

from __future__ import annotations

from app.services.errors import PreconditionFailed


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int, *, what: str) -> None:
    """Sent If-Match must name the current version (or `*`), else 412."""
    if if_match is None:
        return
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed(
            f"The {what} has changed since you read it (its ETag is now {etag(version)}); read it again and retry."
        )
