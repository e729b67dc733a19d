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
import random
import re
import string
import uuid
from zoneinfo import available_timezones

import schemathesis

PROBLEM = "application/problem+json"
_KEY_PATTERN = re.compile(r"^[ -~]*[!-~][ -~]*$")
_ZONES = frozenset(available_timezones())
_LOCALE = re.compile(r"^[a-z]{2,3}$")
_RANDOM = random.SystemRandom()


@schemathesis.hook
def before_call(context, case, kwargs):
    """Keep generated requests meaning what their generation mode says.

    - Idempotency-Key: the fuzzer draws keys from a small space, so a key comes
      back with another body, which the contract answers with 422 (tested in
      tests/api). A valid key gets a digest of the body appended: the same key
      and body still replay, a new body gets a new key. In the stateful phase
      every request gets a key of its own: a chain's create stands for a new
      operation, while a replay answers what the key's first request did, even
      when a later scenario has since deleted what it created. (The replay of
      such a create is a 201 whose Location is gone, which schemathesis's
      ST302 check "Created resource not found" then flagged in some runs.)
    - Unique fields, in the stateful phase: an interview's `external_ref` gets a
      suffix of its own and a template a language of its own, so that a
      chain's create does not meet the 409 of an earlier scenario's. The
      server keeps its state between scenarios, and Hypothesis ends the
      stateful suite (as a success) at the first choice whose answer changed
      (FlakyStrategyDefinition): suites ended after 25-98 scenarios without
      these, and ran in full with them (schemathesis.toml). The 409s
      themselves are tested in tests/api and still sent in the coverage and
      fuzzing phases.
    - timezone: the coverage phase sends boundary strings ("0") that no
      dictionary reaches; in a positive case an unknown zone becomes "UTC".
    """
    headers = case.headers or {}
    stateful = case.meta is not None and case.meta.phase.name == "stateful"
    for name in [n for n in headers if n.lower() == "idempotency-key"]:
        value = headers[name]
        if isinstance(value, str) and _KEY_PATTERN.match(value) and len(value) <= 200:
            digest = hashlib.sha256(json.dumps(case.body, sort_keys=True, default=str).encode()).hexdigest()[:16]
            fresh = f"-{uuid.uuid4().hex}" if stateful else ""
            headers[name] = f"{value}-{digest}{fresh}"  # at most 250 characters: the contract allows 255
    if stateful and isinstance(case.body, dict):
        _unique_fields(case.operation.path, case.body)
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and isinstance(case.body, dict):
        for holder in (case.body, case.body.get("interview")):
            if isinstance(holder, dict) and isinstance(holder.get("timezone"), str) and holder["timezone"] not in _ZONES:
                holder["timezone"] = "UTC"


def _unique_fields(path: str, body: dict) -> None:
    """Values no earlier scenario took, for the fields the contract keeps unique per tenant."""
    ref = body.get("external_ref")
    if path.startswith("/v1/interviews") and isinstance(ref, str) and ref.strip():
        body["external_ref"] = f"{ref.strip()[:180]}-{uuid.uuid4().hex[:12]}"
    locale = body.get("locale")
    if path.startswith("/v1/templates") and isinstance(locale, str) and _LOCALE.match(locale.strip().lower()):
        body["locale"] = "".join(_RANDOM.choice(string.ascii_lowercase) for _ in range(3))


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
