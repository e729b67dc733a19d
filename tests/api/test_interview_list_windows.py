"""`GET /v1/interviews?updated_after=X` lists exactly the matching part of the whole list.

PostgreSQL reads a window in two parts split at X (app.db.interviews): the
interviews created at or before X and changed after it, then those created after
X. These tests set created_at/updated_at by hand so that windows split (changed
after X but created before; created after X but stamped at or before it, as a
host with a slow clock would), with ties on created_at, and page through every
window in pages of 1, 2, 3 and 50 (so cursors land on each side of X) and from
every interview's own cursor, with the other filters beside it; both the
narrow path (few changed interviews) and the wide one (`FEW` = 0).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.api import cursors
from app.db import interviews as interviews_repo
from app.db.tables import Interview as InterviewRow
from tests.api.helpers import ago, create_interview, iso, record_event

BASE = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

#: (created, updated) in hours after BASE, in the order the interviews are made.
STAMPS = [
    (0, 0), (1, 1), (1, 5), (1, 12), (2, 9), (3, 3), (4, 12), (5, 6), (6, 6), (6, 10), (7, 7), (8, 8.5),
    (8, 8), (9, 15), (10, 10), (10, 11), (11, 11), (12, 9), (12, 12), (13, 13), (14, 8), (15, 20), (16, 16), (17, 17),
]
#: Windows in hours after BASE: before everything, on created and updated stamps, between them, after everything.
WINDOWS = [-1, 0, 1, 5, 5.5, 6, 8, 9, 10, 11.5, 12, 14, 16.5, 20]


def _hours(hours: float) -> datetime:
    return BASE + timedelta(hours=hours)


@pytest.fixture
def stamped(client, tenant, db) -> list[dict]:
    """The tenant's interviews (the whole list, oldest first), stamped as STAMPS says:
    two companies, some scheduled, some rejected, the rest active."""
    made = []
    for n, (created, updated) in enumerate(STAMPS):
        future = n % 3 == 1
        starts_at = ago(days=-3) if future else ago(days=3)
        interview = create_interview(client, tenant, company_name="Acme" if n % 2 else "Globex", starts_at=iso(starts_at))
        if n % 5 == 2 and not future:
            record_event(client, tenant, interview["id"], type="rejection_received")
        made.append(interview["id"])
    table = InterviewRow.__table__
    with db.session(write=True) as session:
        for interview_id, (created, updated) in zip(made, STAMPS, strict=True):
            session.execute(
                update(table).where(table.c.id == interview_id).values(created_at=_hours(created), updated_at=_hours(updated))
            )
    everything = _pages(client, tenant, {}, 200)
    assert len(everything) == len(STAMPS)
    assert {item["status"] for item in everything} == {"scheduled", "active", "rejected"}
    return everything


def _pages(client, tenant, params: dict, limit: int, cursor: str | None = None) -> list[dict]:
    """Every page from `cursor` on; checks each page's size and next_cursor."""
    items: list[dict] = []
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/interviews", params=query, headers=tenant.headers)
        assert r.status_code == 200, r.text
        page, cursor = r.json()["items"], r.json()["next_cursor"]
        items += page
        if cursor is None:
            return items
        assert len(page) == limit, (query, len(page))
        last = page[-1]
        assert cursors.decode(cursor, (datetime, str)) == (datetime.fromisoformat(last["created_at"]), last["id"])


def _matches(item: dict, filters: dict, since: datetime) -> bool:
    return (
        datetime.fromisoformat(item["updated_at"]) > since
        and item["status"] == filters.get("status", item["status"])
        and item["company_name"] == filters.get("company_name", item["company_name"])
    )


FILTERS = [{}, {"status": "scheduled"}, {"status": "active"}, {"company_name": "Acme"}, {"company_name": "Globex", "status": "rejected"}]


@pytest.mark.parametrize("few", [interviews_repo.FEW, 0], ids=["narrow", "wide"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f"{k}={v}" for k, v in f.items()) or "alone")
def test_a_window_lists_the_matching_part_of_the_whole_list(client, tenant, stamped, monkeypatch, filters, few):
    monkeypatch.setattr(interviews_repo, "FEW", few)
    for window in WINDOWS:
        since = _hours(window)
        params = {**filters, "updated_after": iso(since)}
        expected = [item for item in stamped if _matches(item, filters, since)]
        for limit in (1, 2, 3, 50):
            assert _pages(client, tenant, params, limit) == expected, (window, limit)


@pytest.mark.parametrize("few", [interviews_repo.FEW, 0], ids=["narrow", "wide"])
@pytest.mark.parametrize("filters", FILTERS[:2], ids=["alone", "scheduled"])
def test_a_window_from_any_cursor_lists_what_follows_it(client, tenant, stamped, monkeypatch, filters, few):
    """A cursor taken from the whole list (any interview, matching or not, on either side of X)."""
    monkeypatch.setattr(interviews_repo, "FEW", few)
    for window in WINDOWS[1::2]:
        since = _hours(window)
        params = {**filters, "updated_after": iso(since)}
        for position, item in enumerate(stamped):
            cursor = cursors.encode(datetime.fromisoformat(item["created_at"]), item["id"])
            expected = [later for later in stamped[position + 1 :] if _matches(later, filters, since)]
            assert _pages(client, tenant, params, 2, cursor) == expected, (window, position)
