"""Schemathesis extensions loaded by tests/contract/schemathesis.toml (`hooks`).

`problem_json_errors` holds every error answer to the contract, including
the statuses the spec does not list for an operation (405 for an unsupported
method, 400 for malformed JSON): `application/problem+json` with `type`,
`title`, `status` (equal to the HTTP status) and `detail`, an `errors` list on
validation failures, and never a stack trace. `--checks all` selects it.
"""

from __future__ import annotations

import hashlib
import json
import re
from zoneinfo import available_timezones

import schemathesis

PROBLEM = "application/problem+json"
_KEY_PATTERN = re.compile(r"^[ -~]*[!-~][ -~]*$")
_ZONES = frozenset(available_timezones())


@schemathesis.hook
def before_call(context, case, kwargs):
    """Keep generated requests meaning what their generation mode says.

    - Idempotency-Key: the fuzzer draws keys from a small space, so a key comes
      back with another body, which the contract answers with 422 (tested in
      tests/api). A valid key gets a digest of the body appended: the same key
      and body still replay, a new body gets a new key.
    - timezone: the coverage phase sends boundary strings ("0") that no
      dictionary reaches; in a positive case an unknown zone becomes "UTC".
    """
    headers = case.headers or {}
    for name in [n for n in headers if n.lower() == "idempotency-key"]:
        value = headers[name]
        if isinstance(value, str) and _KEY_PATTERN.match(value) and len(value) <= 200:
            digest = hashlib.sha256(json.dumps(case.body, sort_keys=True, default=str).encode()).hexdigest()[:16]
            headers[name] = f"{value}-{digest}"
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and isinstance(case.body, dict):
        for holder in (case.body, case.body.get("interview")):
            if isinstance(holder, dict) and isinstance(holder.get("timezone"), str) and holder["timezone"] not in _ZONES:
                holder["timezone"] = "UTC"


class ProblemJsonViolation(AssertionError):
    pass


def _header(response, name: str) -> str:
    value = response.headers.get(name) or response.headers.get(name.title()) or ""
    return value[0] if isinstance(value, list) and value else value if isinstance(value, str) else ""


@schemathesis.check
def problem_json_errors(ctx, response, case):
    """Every 4xx/5xx is an RFC 9457 problem document without a traceback."""
    status = response.status_code
    if status < 400:
        return None
    media_type = _header(response, "content-type").split(";")[0].strip().lower()
    if media_type != PROBLEM:
        raise ProblemJsonViolation(f"{status} answered as {media_type or 'no content type'!r}, not {PROBLEM}")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ProblemJsonViolation(f"{status} problem body is not JSON") from None
    if not isinstance(body, dict):
        raise ProblemJsonViolation(f"{status} problem body is not an object")
    for field in ("type", "title", "detail"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise ProblemJsonViolation(f"{status} problem lacks a `{field}` string")
    if body.get("status") != status:
        raise ProblemJsonViolation(f"problem `status` is {body.get('status')!r}, the HTTP status is {status}")
    if status == 422 and not isinstance(body.get("errors"), list):
        raise ProblemJsonViolation("422 problem lacks the `errors` list of {loc, message}")
    if "Traceback" in response.text:
        raise ProblemJsonViolation(f"{status} answer carries a Python traceback")
    if status == 503 and not _header(response, "retry-after"):
        raise ProblemJsonViolation("503 without Retry-After")
    return None
