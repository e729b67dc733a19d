"""If-Match on PATCH, PUT and DELETE (api-contract "Writes")."""

from __future__ import annotations

from app.services.errors import PreconditionFailed


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int, *, what: str) -> None:
    """Sent If-Match must name the current version (or `*`), else 412.

    Compared strongly (RFC 9110 13.1.1): a weak tag (`W/"3"`) never matches, as it
    vouches only for an equivalent representation, not for the very version a lost
    update must be checked against. Our ETags are all strong; a client that sends
    one back weakened is told so rather than that the resource changed.
    """
    if if_match is None:
        return
    tags = {t.strip() for t in if_match.split(",")}
    current = etag(version)
    if "*" in tags or current in tags:
        return
    if f"W/{current}" in tags:
        raise PreconditionFailed(
            f"If-Match is compared strongly, so the weak W/{current} never matches; send the ETag as given: {current}."
        )
    raise PreconditionFailed(f"The {what} has changed since you read it (its ETag is now {current}); read it again and retry.")
