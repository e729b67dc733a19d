"""The tenant policy: read, replace (validated as a whole), If-Match, and re-planning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.db import jobs as jobs_repo
from app.db.tables import Interview as InterviewRow
from app.db.tables import PlannedAction
from app.services.jobs import run_until_idle
from app.settings import Settings
from tests.api.helpers import ago, assert_problem, create_interview, error_locs, iso, snapshot

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


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_get_policy_is_exactly_the_defaults(client, tenant):
    r = client.get("/v1/policy", headers=tenant.headers)
    assert r.status_code == 200
    assert r.json() == DEFAULTS
    assert r.headers["etag"]


def test_put_replaces_the_policy(client, tenant):
    first = client.get("/v1/policy", headers=tenant.headers)
    new = {**DEFAULTS, "thank_you_due_hours": 12, "send_days": [1, 3, 5], "send_window_start": "08:30", "follow_ups_to_agency": False}
    r = client.put("/v1/policy", json=new, headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.json() == new
    assert r.headers["etag"] != first.headers["etag"]
    again = client.get("/v1/policy", headers=tenant.headers)
    assert again.json() == new
    assert again.headers["etag"] == r.headers["etag"]


def test_put_with_if_match(client, app, tenant):
    stale = client.get("/v1/policy", headers=tenant.headers).headers["etag"]
    current = client.put("/v1/policy", json={**DEFAULTS, "max_follow_ups": 3}, headers=tenant.headers).headers["etag"]
    before = snapshot(app.state.db)
    r = client.put("/v1/policy", json={**DEFAULTS, "max_follow_ups": 4}, headers={**tenant.headers, "If-Match": stale})
    assert_problem(r, 412)
    assert snapshot(app.state.db) == before
    assert client.get("/v1/policy", headers=tenant.headers).json()["max_follow_ups"] == 3
    r = client.put("/v1/policy", json={**DEFAULTS, "max_follow_ups": 4}, headers={**tenant.headers, "If-Match": current})
    assert r.status_code == 200, r.text
    r = client.put("/v1/policy", json={**DEFAULTS, "max_follow_ups": 5}, headers={**tenant.headers, "If-Match": "*"})
    assert r.status_code == 200
    assert client.get("/v1/policy", headers=tenant.headers).json()["max_follow_ups"] == 5


def test_put_names_each_bad_field_and_changes_nothing(client, app, tenant):
    before = snapshot(app.state.db)
    bad = {
        **DEFAULTS,
        "thank_you_due_hours": 0,
        "max_follow_ups": 6,
        "linkedin_note_max_chars": 99,
        "send_window_start": "25:00",
        "send_days": [],
    }
    r = client.put("/v1/policy", json=bad, headers=tenant.headers)
    assert_problem(r, 422)
    locs = set(error_locs(r))
    for field in ("thank_you_due_hours", "max_follow_ups", "linkedin_note_max_chars", "send_window_start", "send_days"):
        assert any(loc == f"body.{field}" or loc.startswith(f"body.{field}.") for loc in locs), (field, locs)
    assert snapshot(app.state.db) == before


def test_put_names_the_order_errors_with_the_range_errors(client, tenant):
    """A late threshold before its due one, or a window closing before it opens, in the same 422 as the rest."""
    bad = {
        **DEFAULTS,
        "max_follow_ups": 9,
        "thank_you_due_hours": 50,
        "thank_you_late_hours": 10,
        "rejection_reply_late_hours": 1,
        "send_window_start": "17:00",
        "send_window_end": "09:00",
    }
    r = client.put("/v1/policy", json=bad, headers=tenant.headers)
    messages = {e["loc"]: e["message"] for e in assert_problem(r, 422)["errors"]}
    assert messages == {
        "body.max_follow_ups": "Input should be less than or equal to 5",
        "body.thank_you_late_hours": "must be at least thank_you_due_hours (50)",
        "body.rejection_reply_late_hours": "must be at least rejection_reply_due_hours (24)",
        "body.send_window_end": "must be after send_window_start",
    }


def test_put_refuses_each_bad_policy(client, app, tenant):
    cases = [
        ({"thank_you_late_hours": 12}, "thank_you_late_hours"),  # late before due
        ({"rejection_reply_late_hours": 12}, "rejection_reply_late_hours"),
        ({"send_window_start": "17:00", "send_window_end": "09:00"}, "send_window"),
        ({"send_window_end": "9am"}, "send_window_end"),
        ({"send_days": [0]}, "send_days"),
        ({"send_days": [8]}, "send_days"),
        ({"send_days": [1, 1]}, "send_days"),
        ({"follow_up_wait_days": 91}, "follow_up_wait_days"),
        ({"linkedin_delay_hours": -1}, "linkedin_delay_hours"),
        ({"max_follow_ups": True}, "max_follow_ups"),
        ({"follow_ups_to_agency": "maybe"}, "follow_ups_to_agency"),
        ({"tenant_id": "x"}, "tenant_id"),
        ({"version": 3}, "version"),
    ]
    before = snapshot(app.state.db)
    failures = []
    for change, field in cases:
        r = client.put("/v1/policy", json={**DEFAULTS, **change}, headers=tenant.headers)
        try:
            assert_problem(r, 422)
            assert any(field in loc for loc in error_locs(r)), error_locs(r)
        except AssertionError as error:
            failures.append(f"{change}: {error}")
    for missing in ("thank_you_due_hours", "send_days"):
        body = dict(DEFAULTS)
        del body[missing]
        r = client.put("/v1/policy", json=body, headers=tenant.headers)
        try:
            assert_problem(r, 422)
            assert f"body.{missing}" in error_locs(r)
        except AssertionError as error:
            failures.append(f"without {missing}: {error}")
    assert not failures, "\n".join(failures)
    assert snapshot(app.state.db) == before


def _stored_thank_you_due(db, interview_id: str) -> set[datetime]:
    table = PlannedAction.__table__
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.due_at).where(table.c.interview_id == interview_id, table.c.kind == "send_thank_you")
        ).scalars()
        return set(rows)


def _plan_versions(db) -> set[int]:
    table = InterviewRow.__table__
    with db.engine.connect() as connection:
        return set(connection.execute(select(table.c.plan_policy_version)).scalars())


def _put_later_thank_yous(client, app, tenant, *, arrived: datetime) -> None:
    """PUT a policy with later thank-you times (due 60 h, late 90 h), stamped as arriving at `arrived`."""
    from app.api.deps import get_now

    app.dependency_overrides[get_now] = lambda: arrived
    try:
        response = client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90},
                              headers=tenant.headers)  # fmt: skip
    finally:
        app.dependency_overrides.pop(get_now)
    assert response.status_code == 200, response.text


def _write_a_plan_of_the_old_policy(db, tenant, interview_id: str) -> None:
    """What a request that read the tenant's first policy (version 1, the defaults) writes."""
    from app.db import events as events_repo
    from app.db import interviews as interviews_repo
    from app.domain.policy import Policy
    from app.services import planning
    from app.services.tenancy import TenantContext

    with db.session(write=True) as session:
        stored = interviews_repo.load_interview(session, tenant_id=tenant.tenant_id, interview_id=interview_id, for_update=True)
        events = events_repo.timeline(session, interview_id=interview_id)
        planning.replan(session, tenant=TenantContext(tenant.tenant_id, Policy(), 1), stored=stored, events=events)


def test_put_replans_the_stored_plans(client, app, tenant):
    db = app.state.db
    interviews = [create_interview(client, tenant, starts_at=iso(ago(days=d)), duration_minutes=30) for d in (1, 2, 3)]
    ends = {i["id"]: parse(i["starts_at"]) + timedelta(minutes=30) for i in interviews}
    for interview in interviews:
        assert _stored_thank_you_due(db, interview["id"]) == {ends[interview["id"]] + timedelta(hours=24)}

    r = client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90}, headers=tenant.headers)
    assert r.status_code == 200
    assert len(_plan_versions(db)) == 1, "the PUT itself answers at once; the job re-plans"

    steps = run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=2)
    assert steps >= 2, "three interviews in batches of two take two steps"
    for interview in interviews:
        assert _stored_thank_you_due(db, interview["id"]) == {ends[interview["id"]] + timedelta(hours=60)}
    wide = client.get("/v1/actions", params={"kind": "send_thank_you", "state": "upcoming,due,overdue,done"}, headers=tenant.headers)
    dues = {(a["interview_id"], parse(a["due_at"])) for a in wide.json()["items"]}
    assert dues == {(i["id"], ends[i["id"]] + timedelta(hours=60)) for i in interviews for _ in i["interviewers"]}
    assert run_until_idle(db, now=lambda: datetime.now(UTC), batch_size=2) == 0


def test_a_replan_is_finished_only_by_a_pass_after_the_old_policy_can_no_longer_be_written(client, app, tenant):
    """Other processes keep the old policy cached for a while; a plan one of them writes with it
    after the job's first pass is re-planned by the pass the job waits `settle` for."""
    from app.services.jobs import run_one

    db = app.state.db
    create_interview(client, tenant, starts_at=iso(ago(days=1)), duration_minutes=30)
    put_at = datetime.now(UTC)
    assert client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90},
                      headers=tenant.headers).status_code == 200  # fmt: skip
    settle = timedelta(seconds=30)
    assert run_one(db, now=lambda: put_at + timedelta(seconds=1), batch_size=10, settle=settle)
    assert _plan_versions(db) == {2}
    # A write by a process that still had the old policy cached: its plan is of version 1.
    late = create_interview(client, tenant, starts_at=iso(ago(days=1)), duration_minutes=30)
    table = InterviewRow.__table__
    with db.engine.begin() as connection:
        connection.execute(table.update().where(table.c.id == late["id"]).values(plan_policy_version=1))
    assert not run_one(db, now=lambda: put_at + timedelta(seconds=5), batch_size=10, settle=settle), "not due yet"
    assert run_one(db, now=lambda: put_at + timedelta(seconds=40), batch_size=10, settle=settle)
    assert _plan_versions(db) == {2}
    assert not run_one(db, now=lambda: put_at + timedelta(seconds=41), batch_size=10, settle=settle), "finished"


def test_the_replan_waits_out_plans_of_the_old_policy_written_after_the_put_arrived_but_committed_late(client, app, tenant):
    """A PUT is stamped when it arrives, then may wait for a connection and a lock: it
    commits up to 20 s later (`late_write`), and a process that read the old policy just
    before that commit may still write a plan with it until `settle` after the commit.
    Counted from the PUT's arrival, the job's last pass came before such a plan, and the
    interview kept the old policy's plan for good."""
    from app.services.jobs import run_one

    db = app.state.db
    interviews = [create_interview(client, tenant, starts_at=iso(ago(days=d)), duration_minutes=30) for d in (1, 2)]
    arrived = datetime.now(UTC)
    committed = arrived + timedelta(seconds=20)
    settle = timedelta(seconds=22)  # cached_write_window with the defaults

    def run_jobs(at: datetime) -> None:
        while run_one(db, now=lambda: at, batch_size=10, settle=settle):
            pass

    _put_later_thank_yous(client, app, tenant, arrived=arrived)
    run_jobs(committed + timedelta(seconds=1))  # no worker can claim the job before the commit
    assert _plan_versions(db) == {2}
    run_jobs(arrived + settle + timedelta(seconds=1))
    # A request that read the old policy before the commit writes its plan now.
    _write_a_plan_of_the_old_policy(db, tenant, interviews[0]["id"])
    assert _plan_versions(db) == {1, 2}
    run_jobs(committed + settle + timedelta(seconds=1))
    assert _plan_versions(db) == {2}, "a plan of the old policy, written within settle of the PUT's commit, stayed"
    for interview in interviews:
        end = parse(interview["starts_at"]) + timedelta(minutes=30)
        assert _stored_thank_you_due(db, interview["id"]) == {end + timedelta(hours=60)}
    with db.session(write=False) as session:
        assert jobs_repo.pending_count(session, tenant_id=tenant.tenant_id) == 0, "the job finished"


def test_a_policy_change_committed_while_a_worker_looks_for_jobs_is_waited_out_from_its_commit(client, app, tenant):
    """A worker reads its clock, then looks for due jobs; a PUT that arrived before that
    reading may commit before the look finds its job (on SQLite the look waits for the
    PUT's write lock). The first claim's time, where the wait counts from, is read after
    the look, so it comes after the commit."""
    from app.services.jobs import run_one

    db = app.state.db
    interview = create_interview(client, tenant, starts_at=iso(ago(days=1)), duration_minutes=30)
    arrived = datetime.now(UTC)
    looked, committed = arrived + timedelta(seconds=5), arrived + timedelta(seconds=20)
    settle = timedelta(seconds=22)
    readings = []

    def clock() -> datetime:
        readings.append(len(readings))
        if len(readings) > 1:
            return committed
        # The worker's first reading: the PUT, in flight since `arrived`, commits right after it.
        _put_later_thank_yous(client, app, tenant, arrived=arrived)
        return looked

    assert run_one(db, now=clock, batch_size=10, settle=settle), "the look found the job the PUT committed"
    assert _plan_versions(db) == {2}
    while run_one(db, now=lambda: looked + settle + timedelta(seconds=1), batch_size=10, settle=settle):
        pass
    _write_a_plan_of_the_old_policy(db, tenant, interview["id"])  # read before the commit
    while run_one(db, now=lambda: committed + settle + timedelta(seconds=1), batch_size=10, settle=settle):
        pass
    assert _plan_versions(db) == {2}, "the job finished within settle of the PUT's commit"


def test_a_pass_that_began_before_the_wait_was_over_is_not_the_last(client, app, tenant, monkeypatch):
    """A pass reads the stale interviews first, then re-plans them, which may take long
    (a batch is up to FOLLOWUP_REPLAN_BATCH_SIZE interviews, each waiting for its lock).
    One that read them before `settle` was over and ended after it finished the job,
    though a plan of the old policy written after its read was still within the window."""
    from app.db import interviews as interviews_repo
    from app.services.jobs import run_one

    db = app.state.db
    interviews = [create_interview(client, tenant, starts_at=iso(ago(days=d)), duration_minutes=30) for d in (1, 2, 3)]
    assert client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90},
                      headers=tenant.headers).status_code == 200  # fmt: skip
    start, settle = datetime.now(UTC), timedelta(seconds=22)
    clock = [start + timedelta(seconds=1)]
    assert run_one(db, now=lambda: clock[0], batch_size=2, settle=settle)  # two of three: more to do
    assert len(_plan_versions(db)) == 2
    real_stale_ids = interviews_repo.stale_interview_ids

    def a_slow_pass(session, **kwargs):
        ids = real_stale_ids(session, **kwargs)
        clock[0] = start + timedelta(seconds=30)  # the pass ends after settle
        replanned = next(i["id"] for i in interviews if i["id"] not in ids)
        _write_a_plan_of_the_old_policy(db, tenant, replanned)  # within settle of the first claim
        return ids

    monkeypatch.setattr(interviews_repo, "stale_interview_ids", a_slow_pass)
    clock[0] = start + timedelta(seconds=2)
    assert run_one(db, now=lambda: clock[0], batch_size=2, settle=settle)  # the last one: done
    monkeypatch.setattr(interviews_repo, "stale_interview_ids", real_stale_ids)
    assert _plan_versions(db) == {1, 2}
    while run_one(db, now=lambda: start + timedelta(minutes=10), batch_size=2, settle=settle):
        pass
    assert _plan_versions(db) == {2}, "a plan of the old policy written during the job's last pass stayed"


def test_per_interview_answers_use_the_new_policy_at_once(client, app, tenant):
    interview = create_interview(client, tenant, starts_at=iso(ago(days=1)), duration_minutes=30)
    end = parse(interview["starts_at"]) + timedelta(minutes=30)
    r = client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 50, "thank_you_late_hours": 70}, headers=tenant.headers)
    assert r.status_code == 200
    # No job has run: the answers below must not come from the stale stored plan.
    actions = client.get(f"/v1/interviews/{interview['id']}/actions", headers=tenant.headers).json()["actions"]
    dues = {parse(a["due_at"]) for a in actions if a["kind"] == "send_thank_you"}
    assert dues == {end + timedelta(hours=50)}
    got = client.get(f"/v1/interviews/{interview['id']}", headers=tenant.headers).json()
    assert got["next_action"]["kind"] == "send_thank_you"
    assert parse(got["next_action"]["due_at"]) == end + timedelta(hours=50)
    listed = client.get("/v1/interviews", headers=tenant.headers).json()["items"][0]
    assert parse(listed["next_action"]["due_at"]) == end + timedelta(hours=50)


def test_the_replan_jobs_last_pass_waits_out_every_wait_a_stale_write_may_make():
    """A write authenticated with the old policy just before the key cache expired may
    then wait for a connection and for a lock; the job's last pass comes after both,
    whatever they are configured to."""
    from app.api.app import cached_write_window

    defaults = cached_write_window(Settings(database_url="sqlite:///:memory:"))
    assert defaults == timedelta(seconds=Settings(database_url="sqlite:///:memory:").auth_cache_seconds + 20)
    slow = Settings(database_url="sqlite:///:memory:", auth_cache_seconds=60, db_pool_timeout=30, sqlite_busy_timeout_ms=90_000)
    assert cached_write_window(slow) == timedelta(seconds=60 + 30 + 90 + 5)
    slow_pool = Settings(database_url="sqlite:///:memory:", db_pool_timeout=100)
    assert cached_write_window(slow_pool) == timedelta(seconds=slow_pool.auth_cache_seconds + 100 + 100 + 5)


def test_a_pass_of_an_older_re_plan_does_not_put_back_the_policy_a_newer_one_replaced(client, app, tenant, monkeypatch):
    """Two PUTs queue two jobs, which two processes may run at once. A pass of the first
    that read its policy before the second PUT, and locks an interview only after the
    second job's last pass, must leave that interview on the newer policy: nothing
    would re-plan it again (a pass spans its whole batch, up to
    FOLLOWUP_REPLAN_BATCH_SIZE interviews, and may well outlast the second job's wait)."""
    from app.services import jobs

    db = app.state.db
    interview = create_interview(client, tenant, starts_at=iso(ago(days=1)), duration_minutes=30)
    end = parse(interview["starts_at"]) + timedelta(minutes=30)
    assert client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90},
                      headers=tenant.headers).status_code == 200  # fmt: skip
    start, settle = datetime.now(UTC), timedelta(seconds=30)
    assert jobs.run_one(db, now=lambda: start + timedelta(seconds=1), batch_size=10, settle=settle)  # the first pass
    table = InterviewRow.__table__
    with db.engine.begin() as connection:  # a plan written meanwhile with the first policy cached: version 1
        connection.execute(table.update().where(table.c.id == interview["id"]).values(plan_policy_version=1))
    real_policy_of = jobs.policy_of
    meanwhile = []  # checked outside: run_one would take an assertion failing in here for a failed pass

    def the_next_policy_and_its_whole_job_meanwhile(tenant_id, stored, version):
        monkeypatch.setattr(jobs, "policy_of", real_policy_of)  # the second job's passes run as they are
        meanwhile.append(client.put("/v1/policy", json={**DEFAULTS, "thank_you_due_hours": 70, "thank_you_late_hours": 90},
                                    headers=tenant.headers).status_code)  # fmt: skip
        meanwhile.append(jobs.run_one(db, now=lambda: start + timedelta(seconds=45), batch_size=10, settle=settle))
        meanwhile.append(_plan_versions(db))
        meanwhile.append(jobs.run_one(db, now=lambda: start + timedelta(seconds=80), batch_size=10, settle=settle))
        meanwhile.append(jobs.run_one(db, now=lambda: start + timedelta(seconds=80), batch_size=10, settle=settle))
        return real_policy_of(tenant_id, stored, version)

    monkeypatch.setattr(jobs, "policy_of", the_next_policy_and_its_whole_job_meanwhile)
    # The first job's last pass (its wait is over), which reads the first policy before the second PUT.
    assert jobs.run_one(db, now=lambda: start + timedelta(seconds=40), batch_size=10, settle=settle)
    # The second PUT; its job's first pass re-planned the interview, its last pass found it done.
    assert meanwhile == [200, True, {3}, True, False]
    while jobs.run_one(db, now=lambda: start + timedelta(minutes=10), batch_size=10, settle=settle):
        pass  # whatever is left to do
    assert _plan_versions(db) == {3}
    assert _stored_thank_you_due(db, interview["id"]) == {end + timedelta(hours=70)}
    wide = client.get("/v1/actions", params={"kind": "send_thank_you", "state": "upcoming,due,overdue,done"}, headers=tenant.headers)
    assert {parse(a["due_at"]) for a in wide.json()["items"]} == {end + timedelta(hours=70)}
