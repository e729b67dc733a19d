"""Policy: defaults, the JSON object, and validation naming each bad field."""

from __future__ import annotations

from datetime import time

import pytest

from app.domain.policy import POLICY_FIELDS, Policy, PolicyError

DEFAULTS = {
    "thank_you_due_hours": 24,
    "thank_you_late_hours": 48,
    "follow_up_wait_days": 7,
    "follow_up_spacing_days": 7,
    "max_follow_ups": 2,
    "close_out_after_days": 7,
    "linkedin_delay_hours": 24,
    "linkedin_due_days": 7,
    "linkedin_note_max_chars": 300,
    "rejection_reply_due_hours": 24,
    "rejection_reply_late_hours": 72,
    "follow_ups_to_agency": True,
    "send_window_start": "09:00",
    "send_window_end": "17:00",
    "send_days": [1, 2, 3, 4, 5],
}


def test_defaults_are_the_rulebook_table_exactly():
    assert Policy().to_mapping() == DEFAULTS
    assert list(Policy().to_mapping()) == list(DEFAULTS)
    assert POLICY_FIELDS == tuple(DEFAULTS)


def test_round_trip_of_a_full_object():
    data = dict(DEFAULTS, max_follow_ups=0, send_window_start="08:30", send_window_end="18:05", send_days=[7, 1])
    policy = Policy.from_mapping(data)
    assert policy.send_window_start == time(8, 30)
    assert policy.send_window_end == time(18, 5)
    assert policy.send_days == (7, 1)
    assert policy.to_mapping() == data
    assert Policy.from_mapping(DEFAULTS) == Policy()


def errors_of(data) -> dict[str, str]:
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(data)
    names = [name for name, _ in caught.value.errors]
    assert len(names) == len(set(names)), "each bad field is named once"
    return dict(caught.value.errors)


RANGES = [
    ("thank_you_due_hours", 1, 168),
    ("thank_you_late_hours", 1, 336),
    ("follow_up_wait_days", 1, 90),
    ("follow_up_spacing_days", 1, 90),
    ("max_follow_ups", 0, 5),
    ("close_out_after_days", 1, 90),
    ("linkedin_delay_hours", 0, 336),
    ("linkedin_due_days", 1, 90),
    ("linkedin_note_max_chars", 100, 300),
    ("rejection_reply_due_hours", 1, 168),
    ("rejection_reply_late_hours", 1, 336),
]


@pytest.mark.parametrize(("name", "low", "high"), RANGES)
def test_integer_ranges_are_inclusive(name, low, high):
    late_fields = {"thank_you_late_hours": "thank_you_due_hours", "rejection_reply_late_hours": "rejection_reply_due_hours"}
    for ok in (low, high):
        data = dict(DEFAULTS, **{name: ok})
        if name in late_fields:  # keep late >= due
            data[late_fields[name]] = 1
        if name in late_fields.values():
            data[{v: k for k, v in late_fields.items()}[name]] = 336
        assert getattr(Policy.from_mapping(data), name) == ok
    for bad in (low - 1, high + 1):
        assert errors_of(dict(DEFAULTS, **{name: bad})) == {name: f"must be between {low} and {high}"}


@pytest.mark.parametrize("bad", ["24", 24.0, None, True, [24]])
def test_integers_must_be_whole_numbers(bad):
    assert errors_of(dict(DEFAULTS, thank_you_due_hours=bad)) == {"thank_you_due_hours": "must be a whole number"}


def test_late_must_not_come_before_due():
    assert errors_of(dict(DEFAULTS, thank_you_due_hours=30, thank_you_late_hours=29)) == {
        "thank_you_late_hours": "must be at least thank_you_due_hours (30)"
    }
    assert errors_of(dict(DEFAULTS, rejection_reply_due_hours=50, rejection_reply_late_hours=49)) == {
        "rejection_reply_late_hours": "must be at least rejection_reply_due_hours (50)"
    }
    equal = Policy.from_mapping(dict(DEFAULTS, thank_you_due_hours=30, thank_you_late_hours=30))
    assert equal.thank_you_late_hours == 30
    assert Policy(rejection_reply_due_hours=72, rejection_reply_late_hours=72).rejection_reply_late_hours == 72


@pytest.mark.parametrize("bad", ["9:00", "09:0", "24:00", "12:60", "0900", "09:00:00", " 09:00", 900, None])
def test_window_times_are_hh_mm(bad):
    assert errors_of(dict(DEFAULTS, send_window_start=bad)) == {
        "send_window_start": 'must be a time of day as "HH:MM"'
    }


def test_window_accepts_the_ends_of_the_day():
    policy = Policy.from_mapping(dict(DEFAULTS, send_window_start="00:00", send_window_end="23:59"))
    assert (policy.send_window_start, policy.send_window_end) == (time(0, 0), time(23, 59))


@pytest.mark.parametrize(("start", "end"), [("17:00", "17:00"), ("18:00", "09:00")])
def test_window_start_before_end(start, end):
    assert errors_of(dict(DEFAULTS, send_window_start=start, send_window_end=end)) == {
        "send_window_end": "must be after send_window_start"
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "must name at least one day"),
        ([0], "days must be between 1 (Monday) and 7 (Sunday)"),
        ([8], "days must be between 1 (Monday) and 7 (Sunday)"),
        ([1, 1], "must not repeat a day"),
        ([1, "2"], "must be a list of ISO weekday numbers (1 = Monday to 7 = Sunday)"),
        ([True], "must be a list of ISO weekday numbers (1 = Monday to 7 = Sunday)"),
        ("12345", "must be a list of ISO weekday numbers (1 = Monday to 7 = Sunday)"),
        (None, "must be a list of ISO weekday numbers (1 = Monday to 7 = Sunday)"),
    ],
)
def test_send_days(bad, message):
    assert errors_of(dict(DEFAULTS, send_days=bad)) == {"send_days": message}


def test_agency_flag_is_a_boolean():
    assert errors_of(dict(DEFAULTS, follow_ups_to_agency="yes")) == {"follow_ups_to_agency": "must be true or false"}
    assert errors_of(dict(DEFAULTS, follow_ups_to_agency=1)) == {"follow_ups_to_agency": "must be true or false"}
    assert Policy.from_mapping(dict(DEFAULTS, follow_ups_to_agency=False)).follow_ups_to_agency is False


def test_every_bad_field_is_named_at_once():
    data = dict(DEFAULTS, thank_you_due_hours=0, max_follow_ups=9, send_window_end="5pm", send_days=[], extra=1)
    del data["linkedin_due_days"]
    assert errors_of(data) == {
        "extra": "is not a policy field",
        "linkedin_due_days": "is required",
        "thank_you_due_hours": "must be between 1 and 168",
        "max_follow_ups": "must be between 0 and 5",
        "send_window_end": 'must be a time of day as "HH:MM"',
        "send_days": "must name at least one day",
    }


def test_an_empty_object_names_every_field():
    assert set(errors_of({})) == set(DEFAULTS)
    assert set(errors_of({}).values()) == {"is required"}


def test_not_an_object():
    assert errors_of([1, 2]) == {"policy": "must be an object"}


def test_error_message_lists_the_fields():
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(dict(DEFAULTS, max_follow_ups=-1))
    assert str(caught.value) == "max_follow_ups: must be between 0 and 5"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"thank_you_due_hours": 0}, "thank_you_due_hours"),
        ({"thank_you_late_hours": 12}, "thank_you_late_hours"),
        ({"max_follow_ups": 6}, "max_follow_ups"),
        ({"send_window_start": time(18, 0)}, "send_window_end"),
        ({"send_window_start": "09:00"}, "send_window_start"),
        ({"send_window_end": time(17, 0, 30)}, "send_window_end"),
        ({"send_days": ()}, "send_days"),
        ({"send_days": [1, 2]}, "send_days"),
        ({"follow_ups_to_agency": None}, "follow_ups_to_agency"),
    ],
)
def test_direct_construction_validates_too(kwargs, field):
    with pytest.raises(PolicyError) as caught:
        Policy(**kwargs)
    assert [name for name, _ in caught.value.errors] == [field]


def test_direct_construction_names_whole_minutes():
    with pytest.raises(PolicyError) as caught:
        Policy(send_window_start=time(9, 0, 0, 5))
    assert caught.value.errors == [("send_window_start", "must be a time of day in whole minutes")]


def test_policy_is_frozen_and_hashable():
    policy = Policy()
    with pytest.raises(AttributeError):
        policy.max_follow_ups = 3  # type: ignore[misc]
    assert hash(policy) == hash(Policy())


def test_error_message_joins_every_field():
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(dict(DEFAULTS, max_follow_ups=-1, send_days=[]))
    assert str(caught.value) == "max_follow_ups: must be between 0 and 5; send_days: must name at least one day"


def test_a_missing_field_does_not_hide_later_errors():
    data = dict(DEFAULTS, rejection_reply_late_hours=999, send_window_end="late")
    del data["thank_you_due_hours"]
    del data["send_window_start"]
    assert errors_of(data) == {
        "thank_you_due_hours": "is required",
        "send_window_start": "is required",
        "rejection_reply_late_hours": "must be between 1 and 336",
        "send_window_end": 'must be a time of day as "HH:MM"',
    }
