"""A cursor a client made up gets a 422 problem on every list, never a 500.

Cursors are opaque, but only base64 of JSON: anyone can build one. A
timestamp whose offset takes it past year 9999 or before year 1 in UTC once
reached the query and overflowed there (a 500).
"""

from __future__ import annotations

import base64
from datetime import datetime

import orjson
import pytest

from app.api import cursors
from tests.api.helpers import assert_problem, create_interview, error_locs

OUT_OF_RANGE = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"]


def made_up(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(parts))).decode().rstrip("=")


def list_routes(client, tenant) -> dict[str, tuple[str, tuple]]:
    """Each list route and the tail of its cursor's sort key after the timestamp."""
    interview = create_interview(client, tenant)
    return {
        "interviews": ("/v1/interviews", ("x",)),
        "events": (f"/v1/interviews/{interview['id']}/events", ("x",)),
        "templates": ("/v1/templates", ("x",)),
        "actions": ("/v1/actions", ("x", "send_thank_you", 0)),
    }


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_a_timestamp_out_of_range_in_utc_is_an_invalid_cursor(client, tenant, moment):
    for name, (path, rest) in list_routes(client, tenant).items():
        response = client.get(path, params={"cursor": made_up(moment, *rest)}, headers=tenant.headers)
        problem = assert_problem(response, 422)
        assert "cursor is not valid" in problem["detail"], name
        assert error_locs(response) == ["query.cursor"], name


def test_the_edge_of_the_range_is_still_a_cursor():
    (moment, rest) = cursors.decode(made_up("9999-12-31T23:59:59+00:00", "x"), (datetime, str))
    assert (moment.year, moment.utcoffset().total_seconds(), rest) == (9999, 0, "x")
    (moment, _) = cursors.decode(made_up("2026-11-26T10:00:00+05:30", "x"), (datetime, str))
    assert moment.isoformat() == "2026-11-26T04:30:00+00:00"


#: Values a client can put after the timestamp that no issued cursor holds, each once a 500
#: (an integer past 64 bits on both databases, a NUL on PostgreSQL) or close to one.
BAD_TAILS = {
    "a number past 64 bits": ("x", "send_thank_you", 2**63),
    "a number past 32 bits": ("x", "send_thank_you", 2**31),
    "a negative number": ("x", "send_thank_you", -1),
    "a number as a float": ("x", "send_thank_you", 1.0),
    "a number as a boolean": ("x", "send_thank_you", True),
    "a NUL in an id": ("x\x00", "send_thank_you", 0),
    "a NUL in a kind": ("x", "send\x00", 0),
    "an overlong id": ("x" * 501, "send_thank_you", 0),
}


@pytest.mark.parametrize("tail", BAD_TAILS.values(), ids=BAD_TAILS.keys())
def test_a_sort_key_no_issued_cursor_holds_is_an_invalid_cursor(client, tenant, tail):
    checked = 0
    for name, (path, rest) in list_routes(client, tenant).items():
        made = tail[: len(rest)]  # the route's own key length
        if made == rest:
            continue  # this route's key stops before the bad value
        response = client.get(path, params={"cursor": made_up("2026-11-26T10:00:00+00:00", *made)}, headers=tenant.headers)
        assert_problem(response, 422)
        assert error_locs(response) == ["query.cursor"], name
        checked += 1
    assert checked >= 1


def test_an_issued_cursor_still_pages(client, tenant):
    for _ in range(3):
        create_interview(client, tenant)
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/actions", params=params, headers=tenant.headers).json()
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(client.get("/v1/actions", params={"limit": 200}, headers=tenant.headers).json()["items"]) >= 3
