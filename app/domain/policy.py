"""The tenant's timing policy: every number the rules use (followup-rules.md, "Policy").

`GET /v1/policy` returns exactly `Policy.to_mapping()`, and `PUT` replaces it
through `Policy.from_mapping()`, which validates the whole object and names
each bad field, so a tenant fixes everything in one round trip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import Any

#: Inclusive ranges of the integer fields (the "allowed" column of the table).
INT_RANGES: dict[str, tuple[int, int]] = {
    "thank_you_due_hours": (1, 168),
    "thank_you_late_hours": (1, 336),
    "follow_up_wait_days": (1, 90),
    "follow_up_spacing_days": (1, 90),
    "max_follow_ups": (0, 5),
    "close_out_after_days": (1, 90),
    "linkedin_delay_hours": (0, 336),
    "linkedin_due_days": (1, 90),
    "linkedin_note_max_chars": (100, 300),
    "rejection_reply_due_hours": (1, 168),
    "rejection_reply_late_hours": (1, 336),
}

#: Late thresholds that must not come before their due counterpart (rules 1 and 7).
LATE_NOT_BEFORE_DUE: dict[str, str] = {
    "thank_you_late_hours": "thank_you_due_hours",
    "rejection_reply_late_hours": "rejection_reply_due_hours",
}

#: Fields that must not come before another one: the field -> the one it follows (rules 1, 7, 11).
NOT_BEFORE: dict[str, str] = {**LATE_NOT_BEFORE_DUE, "send_window_end": "send_window_start"}


def ordering_error(name: str, value: Any, earlier: Any) -> str | None:
    """Why `name` cannot be `value` when its `NOT_BEFORE` field is `earlier`, or None.

    Compares ints, `time`s and "HH:MM" strings alike, so the API's schema
    can check the order beside each field's own checks (one 422 naming every
    bad field) with the same words as `Policy`.
    """
    if name == "send_window_end":
        return "must be after send_window_start" if earlier >= value else None
    return f"must be at least {NOT_BEFORE[name]} ({earlier})" if value < earlier else None


_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class PolicyError(ValueError):
    """A policy that cannot be used; `.errors` names each bad field.

    `.errors` is a list of `(field_name, human_message)`, one entry per bad
    field, so the API can answer a single 422 listing them all.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors))


@dataclass(frozen=True, slots=True)
class Policy:
    """Per-tenant timing policy; the defaults are the rulebook's bracketed numbers."""

    thank_you_due_hours: int = 24
    thank_you_late_hours: int = 48
    follow_up_wait_days: int = 7
    follow_up_spacing_days: int = 7
    max_follow_ups: int = 2
    close_out_after_days: int = 7
    linkedin_delay_hours: int = 24
    linkedin_due_days: int = 7
    linkedin_note_max_chars: int = 300
    rejection_reply_due_hours: int = 24
    rejection_reply_late_hours: int = 72
    follow_ups_to_agency: bool = True
    send_window_start: time = time(9, 0)
    send_window_end: time = time(17, 0)
    send_days: tuple[int, ...] = (1, 2, 3, 4, 5)

    def __post_init__(self) -> None:
        """Refuse impossible values however the policy is built (style: validate eagerly)."""
        errors = _check(
            {f.name: getattr(self, f.name) for f in fields(self)},
            time_error="must be a time of day in whole minutes",
        )
        if errors:
            raise PolicyError(errors)

    def send_window_minutes(self) -> tuple[int, int]:
        """The send window as minutes of the day, (opens, closes): exact, since its
        bounds are whole minutes (validated above)."""
        start, end = self.send_window_start, self.send_window_end
        return start.hour * 60 + start.minute, end.hour * 60 + end.minute

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Parse the JSON object of `PUT /v1/policy`, naming every bad field.

        The object is replaced as a whole, so every field is required and an
        unknown field is an error rather than silently ignored.
        """
        if not isinstance(data, Mapping):
            raise PolicyError([("policy", "must be an object")])
        errors: list[tuple[str, str]] = []
        known = POLICY_FIELDS
        for name in data:
            if name not in known:
                errors.append((str(name), "is not a policy field"))
        values: dict[str, Any] = {}
        for name in known:
            if name not in data:
                errors.append((name, "is required"))
                continue
            value = data[name]
            if name in ("send_window_start", "send_window_end"):
                value = _parse_hhmm(value)
            elif name == "send_days" and isinstance(value, list | tuple):
                value = tuple(value)
            values[name] = value
        errors.extend(_check(values, time_error='must be a time of day as "HH:MM"'))
        if errors:
            raise PolicyError(errors)
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        """The JSON object of `GET /v1/policy`: times as "HH:MM", send_days as a list."""
        data: dict[str, Any] = {}
        for name in POLICY_FIELDS:
            value = getattr(self, name)
            if isinstance(value, time):
                value = value.strftime("%H:%M")
            elif isinstance(value, tuple):
                value = list(value)
            data[name] = value
        return data


POLICY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Policy))


def _parse_hhmm(value: Any) -> time | None:
    """Parse 24-hour "HH:MM" to a time; None marks a bad value for `_check`."""
    if isinstance(value, str):
        match = _HHMM.fullmatch(value)
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(values: Mapping[str, Any], *, time_error: str) -> list[tuple[str, str]]:
    """Every problem with the present fields, one message per bad field."""
    errors: list[tuple[str, str]] = []
    good_ints: dict[str, int] = {}
    for name, (low, high) in INT_RANGES.items():
        if name not in values:
            continue
        value = values[name]
        if not _is_int(value):
            errors.append((name, "must be a whole number"))
        elif not low <= value <= high:
            errors.append((name, f"must be between {low} and {high}"))
        else:
            good_ints[name] = value
    for late, due in LATE_NOT_BEFORE_DUE.items():
        if late in good_ints and due in good_ints and (message := ordering_error(late, good_ints[late], good_ints[due])):
            errors.append((late, message))
    if "follow_ups_to_agency" in values and not isinstance(values["follow_ups_to_agency"], bool):
        errors.append(("follow_ups_to_agency", "must be true or false"))
    good_times: dict[str, time] = {}
    for name in ("send_window_start", "send_window_end"):
        if name not in values:
            continue
        value = values[name]
        if (
            not isinstance(value, time)
            or value.tzinfo is not None
            or value.second
            or value.microsecond
        ):
            errors.append((name, time_error))
        else:
            good_times[name] = value
    if len(good_times) == 2 and (
        message := ordering_error("send_window_end", good_times["send_window_end"], good_times["send_window_start"])
    ):
        errors.append(("send_window_end", message))
    if "send_days" in values:
        message = _send_days_error(values["send_days"])
        if message:
            errors.append(("send_days", message))
    return errors


def _send_days_error(days: Any) -> str | None:
    """Rule 11: ISO weekdays (1 = Monday), at least one, each once."""
    if not isinstance(days, tuple) or not all(_is_int(d) for d in days):
        return "must be a list of ISO weekday numbers (1 = Monday to 7 = Sunday)"
    if not days:
        return "must name at least one day"
    if any(not 1 <= d <= 7 for d in days):
        return "days must be between 1 (Monday) and 7 (Sunday)"
    if len(set(days)) != len(days):
        return "must not repeat a day"
    return None
