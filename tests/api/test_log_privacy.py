"""Logs never carry personal data: an unforeseen database error is logged without its values.

SQLAlchemy writes a failed statement's bound parameters into its exception's text
(`[parameters: ...]`), and that text reached the log of a 500 and of a failed
background job, and the job's `last_error` column: the candidate's and the
interviewers' names, emails, notes, the reasons naming them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from app.db.tables import Job
from tests.api.helpers import assert_problem, create_interview, interview_body

MARK = "Zelda-Logme"
EMAIL = "zelda.logme@example.com"


def _personal_body(**overrides):
    return interview_body(
        candidate_name=f"{MARK} Candidate",
        candidate_email=EMAIL,
        notes=f"{MARK}: private notes",
        interviewers=[{"name": f"{MARK} Interviewer", "email": "ivan.logme@acme.example", "role": "hiring_manager"}],
        **overrides,
    )


def _assert_no_personal_data(text: str) -> None:
    # SQLAlchemy shortens long values in the middle ("Zelda- ... Logme"): look for the parts.
    for needle in ("Zelda", "Logme", "logme@"):
        assert needle not in text, text


def _broken_plan_insert(monkeypatch) -> None:
    """Every stored plan's insert fails (driver-level SQL, with names and emails in its values):
    its tenant_id becomes NULL."""
    from app.db import plans

    monkeypatch.setattr(plans, "_INSERT_SQL", plans._INSERT_SQL.replace("VALUES (?", "VALUES (NULL + ?"))


def test_a_failed_driver_statement_is_logged_without_its_values(client, tenant, monkeypatch, caplog):
    _broken_plan_insert(monkeypatch)
    with caplog.at_level(logging.DEBUG):
        r = client.post("/v1/interviews", json=_personal_body(), headers=tenant.headers)
    assert_problem(r, 500, validation=False)
    _assert_no_personal_data(caplog.text)
    assert "INSERT INTO planned_action" in caplog.text  # the operator still sees what failed


def test_a_failed_core_statement_is_logged_without_its_values(client, tenant, monkeypatch, caplog):
    from app.db import interviews

    original = interviews._contact_values
    monkeypatch.setattr(interviews, "_contact_values", lambda *a: [{**row, "position": None} for row in original(*a)])
    with caplog.at_level(logging.DEBUG):
        r = client.post("/v1/interviews", json=_personal_body(), headers=tenant.headers)
    assert_problem(r, 500, validation=False)
    _assert_no_personal_data(caplog.text)
    assert "INSERT INTO contact" in caplog.text


def test_a_failed_job_is_logged_and_kept_without_personal_data(client, app, tenant, monkeypatch, caplog):
    from app.services.jobs import run_one

    create_interview(client, tenant, **{k: v for k, v in _personal_body().items() if k != "starts_at"})
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    assert client.put("/v1/policy", json={**policy, "thank_you_due_hours": 30}, headers=tenant.headers).status_code == 200
    _broken_plan_insert(monkeypatch)
    with caplog.at_level(logging.DEBUG):
        assert run_one(app.state.db, now=lambda: datetime.now(UTC), batch_size=10)
    assert "failed" in caplog.text
    _assert_no_personal_data(caplog.text)
    with app.state.db.engine.connect() as connection:
        errors = connection.execute(select(Job.__table__.c.last_error)).scalars().all()
    assert any(errors)
    _assert_no_personal_data(str(errors))


def test_the_engines_keep_a_statements_values_out_of_its_error_text(db):
    """Any error text that reaches a log (an unforeseen 500's traceback included) lists no values."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.db.driver import RawSQL

    for run in (
        lambda s: s.execute(text("SELECT no_such_column, :v"), {"v": MARK}),
        lambda s: RawSQL(s).__enter__().all("SELECT no_such_column, ?", (MARK,)),
    ):
        try:
            with db.session(write=False) as session:
                run(session)
        except DBAPIError as error:
            assert "no_such_column" in str(error)
            _assert_no_personal_data(str(error))
        else:
            raise AssertionError("the statement should fail")
