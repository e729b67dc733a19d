"""`followup tenants` and `followup keys` never hand a key to a tenant the operator did not mean."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text, update

from app import cli
from app.db import tenants
from app.db.engine import Database
from app.db.migrate import upgrade
from app.settings import Settings, get_settings
from tests.conftest import run_cli


@pytest.fixture
def db(database_url):
    database = Database(Settings(database_url=database_url, run_jobs=False))
    yield database
    database.dispose()


def owners(db) -> dict[str, str]:
    """Each key's id -> its tenant's id."""
    with db.session(write=False) as session:
        return {k.id: k.tenant_id for k in tenants.list_keys(session)}


def test_a_taken_tenant_name_is_refused(followup, db):
    code, key, _ = followup("tenants", "create", "acme")
    assert code == 0 and key
    code, out, err = followup("tenants", "create", "acme")
    assert code == 1 and out == ""
    assert "a tenant named 'acme' exists already" in err
    assert len(set(owners(db).values())) == 1


@pytest.mark.parametrize(
    "args", [("tenants", "create", ""), ("tenants", "create", "   "), ("keys", "create", " "), ("keys", "list", "--tenant", ""),
             ("keys", "revoke", ""), ("tenants", "create", "x" * 201), ("tenants", "create", "beta", "--label", "x" * 201),
             ("keys", "create", "acme", "--label", "x" * 201)],
)  # fmt: skip
def test_a_blank_or_overlong_name_is_refused(followup, db, args):
    followup("tenants", "create", "acme")
    with pytest.raises(SystemExit) as exit_:
        followup(*args)
    assert exit_.value.code == 2  # argparse's usage error, with the reason on stderr
    assert len(owners(db)) == 1 and len(set(owners(db).values())) == 1


def test_a_name_is_read_without_surrounding_spaces(followup, db):
    code, _, _ = followup("tenants", "create", "  acme ")
    assert code == 0
    code, out, err = followup("tenants", "create", "acme")
    assert code == 1 and "a tenant named 'acme' exists already" in err


def test_an_ambiguous_name_asks_for_the_id(followup, db):
    """Two tenants of one name, as a database from before names were checked may hold."""
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        first = tenants.create_tenant(session, name="acme", now=now)
        second = tenants.create_tenant(session, name="acme", now=now)
    code, out, err = followup("keys", "create", "acme")
    assert code == 1 and out == ""
    assert "2 tenants are named 'acme'" in err and first in err and second in err
    assert owners(db) == {}

    code, key, _ = followup("keys", "create", second)
    assert code == 0 and key
    assert set(owners(db).values()) == {second}
    code, listed, _ = followup("keys", "list", "--tenant", second)
    assert code == 0 and listed.split("\t")[2:4] == ["acme", second]


def test_a_prefix_two_keys_share_revokes_neither(followup, db):
    followup("tenants", "create", "acme")
    followup("tenants", "create", "globex")
    with db.session(write=False) as session:
        one, other = tenants.list_keys(session)
    with db.session(write=True) as session:
        session.execute(update(tenants.key_t).where(tenants.key_t.c.id == other.id).values(prefix=one.prefix))
    code, _, err = followup("keys", "revoke", one.prefix)
    assert code == 1 and one.id in err and other.id in err
    code, _, _ = followup("keys", "revoke", other.id)
    assert code == 0
    with db.session(write=False) as session:
        revoked = {k.id for k in tenants.list_keys(session) if k.revoked_at is not None}
    assert revoked == {other.id}


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://postgres@127.0.0.1:1/none", "sqlite:////nonexistent-directory/followup.db", "postgres://u@h/db", "nonsense"],
    ids=["postgres", "sqlite", "a scheme typo", "not a URL"],
)
@pytest.mark.parametrize("args", [("tenants", "create", "acme"), ("keys", "list")])
def test_an_unreachable_database_is_one_line_not_a_traceback(url, args, monkeypatch, capsys):
    monkeypatch.setenv("FOLLOWUP_DB_CONNECT_TIMEOUT", "1")
    code, out, err = run_cli(args, database_url=url, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("followup: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FOLLOWUP_DB_POOL_SIZE", "abc"), ("FOLLOWUP_RUN_JOBS", "maybe"), ("FOLLOWUP_DB_POOL_TIMEOUT", "-1"),
        # every .eml was then a 422 (a client error) for the operator's typo
        ("FOLLOWUP_MESSAGE_ID_DOMAIN", "mail example.com"), ("FOLLOWUP_MESSAGE_ID_DOMAIN", "<x>"),
    ],
)
@pytest.mark.parametrize("args", [("migrate",), ("serve",), ("keys", "list")])
def test_an_invalid_setting_is_one_line_naming_it_not_a_traceback(variable, value, args, tmp_path, monkeypatch, capsys):
    """An operator's typo in the environment is named on one line, before anything runs."""
    monkeypatch.setenv(variable, value)
    code, out, err = run_cli(args, database_url=f"sqlite:///{tmp_path}/followup.db", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith(f"followup: {variable} is not valid: ") and err.count("\n") == 1, err


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@h/db", "postgresql+psycopg2://u:secret@h/db", "u:secret@h/db", "postgresql+psycopg://u:secret@h:5432x/db"]
)
@pytest.mark.parametrize("args", [("migrate",), ("serve",), ("keys", "list")])
def test_a_database_the_service_does_not_run_on_is_one_line_not_a_traceback(url, args, monkeypatch, capsys):
    """A URL for another database or driver failed on importing a driver that is not
    installed (MySQLdb, psycopg2), and a port that is not a number in create_engine, with a
    traceback; the line never repeats the password."""
    code, out, err = run_cli(args, database_url=url, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("followup: FOLLOWUP_DATABASE_URL is not valid: ") and err.count("\n") == 1, err
    assert "postgresql+psycopg://" in err and "secret" not in err


@pytest.mark.parametrize("args", [("migrate",), ("serve",), ("keys", "list")])
def test_a_database_migrated_by_a_newer_version_is_one_line_not_a_traceback(args, tmp_path, monkeypatch, capsys):
    """A rolled-back deployment meets a schema it does not ship: say so, not alembic's traceback."""
    url = f"sqlite:///{tmp_path}/followup.db"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedf00d'"))
    engine.dispose()
    code, out, err = run_cli(args, database_url=url, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("followup: the database was migrated by a newer version of followup") and err.count("\n") == 1, err
    assert "f00dfeedf00d" in err


@pytest.mark.parametrize("args", [("--port", "70000"), ("--port", "-1"), ("--port", "http"), ("--workers", "0"), ("--workers", "-3")])
def test_serve_refuses_a_port_or_worker_count_out_of_range(args, capsys):
    """argparse's own usage error (exit 2), before anything is migrated or served."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", *args])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"argument {args[0]}" in err and "Traceback" not in err, err


@pytest.mark.parametrize(("on_path", "shown"), [(False, ".venv/bin/followup"), (True, "followup")])
def test_serve_on_an_empty_database_shows_a_command_the_user_can_run(on_path, shown, tmp_path, monkeypatch, capsys):
    """After `make run` the venv is not active: the hint names `.venv/bin/followup`, as
    the README's walk-through does, not a `followup` the shell cannot find."""
    import app.server

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if on_path:
        (bin_dir / "followup").write_text("#!/bin/sh\n")
        (bin_dir / "followup").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(sys, "argv", [".venv/bin/followup", "serve"])
    monkeypatch.setattr(app.server, "serve", lambda **_: None)
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", f"sqlite:///{tmp_path}/followup.db")
    get_settings.cache_clear()
    try:
        assert cli.main(["serve"]) == 0
    finally:
        get_settings.cache_clear()
    assert f"    KEY=$({shown} tenants create my-career-site)\n" in capsys.readouterr().err


def test_a_key_is_revoked_by_itself_or_by_its_prefix_as_listed(followup, db):
    """An operator revoking a leaked key pastes the key, or the prefix `keys list` prints
    (with its `…`); both answered "no active key"."""
    code, key, _ = followup("tenants", "create", "acme")
    code, listed, _ = followup("keys", "list")
    shown_prefix = listed.split("\t")[1]
    assert shown_prefix.endswith("…") and key.startswith(shown_prefix[:-1])
    code, second, _ = followup("keys", "create", "acme")
    assert followup("keys", "revoke", key)[0] == 0
    code, _, err = followup("keys", "revoke", key)
    assert code == 1 and key not in err and key[:10] in err  # revoked already; the secret is not echoed
    with db.session(write=False) as session:
        states = {k.prefix: k.revoked_at is not None for k in tenants.list_keys(session)}
    assert states == {key[:10]: True, second[:10]: False}
    assert followup("keys", "revoke", second[:10] + "…")[0] == 0
    with db.session(write=False) as session:
        assert all(k.revoked_at is not None for k in tenants.list_keys(session))


def test_templates_check_lists_stored_templates_that_fail_todays_checks(followup, db):
    """A template stored by an earlier version is never checked again; the sandbox now
    refuses splitting escaped text, so the operator needs the list before tenants see 422s."""
    from app.domain.model import MessageKind
    from app.services import templates as templates_service

    followup("tenants", "create", "acme")
    with db.session(write=False) as session:
        tenant_id = tenants.list_keys(session)[0].tenant_id
    now = datetime.now(UTC)
    with db.session(write=True) as session:  # stored directly: as an earlier version accepted them
        good = templates_service.create_template(
            session=session, tenant_id=tenant_id, message_kind=MessageKind.FOLLOW_UP, locale="en",
            subject="Hi", text="Hello {{ candidate_name }}", html=None, now=now,
        )  # fmt: skip
        bad = templates_service.create_template(
            session=session, tenant_id=tenant_id, message_kind=MessageKind.THANK_YOU, locale="en",
            subject="Thanks", text="Hi {{ (candidate_name|e).split()[0] }}", html="<p>{{ (job_title|e)[:3] }}</p>", now=now,
        )  # fmt: skip
    code, out, err = followup("templates", "check")
    assert code == 1, (out, err)
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{tenant_id}\t{bad.id}\tthank_you\ten\t"), out
    assert good.id not in out and "checked 2 template(s): 1 fail" in err
    with db.session(write=True) as session:
        templates_service.delete_template(session=session, tenant_id=tenant_id, template_id=bad.id, if_match=None)
    assert followup("templates", "check")[0] == 0


def test_templates_check_lists_a_template_left_under_a_legacy_language_code(followup, db):
    """Migration a9e3c5d7f1b2 leaves a `no` template beside its `nb` twin (and an older process
    may store one during a rolling upgrade): no request finds it, so it is listed."""
    from app.domain.model import MessageKind
    from app.services import templates as templates_service

    followup("tenants", "create", "acme")
    with db.session(write=False) as session:
        tenant_id = tenants.list_keys(session)[0].tenant_id
    now = datetime.now(UTC)
    with db.session(write=True) as session:  # stored directly: as an earlier version accepted them
        made = {
            locale: templates_service.create_template(
                session=session, tenant_id=tenant_id, message_kind=MessageKind.FOLLOW_UP, locale=locale,
                subject="Hei", text="Hei {{ candidate_name }}", html=None, now=now,
            )
            for locale in ("nb", "no")
        }  # fmt: skip
    code, out, err = followup("templates", "check")
    assert code == 1, (out, err)
    assert out.splitlines() == [
        f"{tenant_id}\t{made['no'].id}\tfollow_up\tno\tits locale 'no' is a legacy code, read as 'nb', so no request "
        "finds it: PUT it again (it is stored as 'nb'), or delete it if the tenant has a 'nb' one"
    ]
    assert "checked 2 template(s): 1 fail" in err


def test_jobs_run_finishes_a_replan_only_after_the_old_policy_can_no_longer_be_written(followup, db, database_url, monkeypatch):
    """`followup jobs run` (the job runner where service processes set FOLLOWUP_RUN_JOBS=false)
    finished a re-plan at once: a plan a service process wrote with the old policy still in its
    key cache, after the job's pass, stayed stale in /v1/actions for good. It waits for the
    same last pass as the service's job loop (cached_write_window, shortened here)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    import app.api.app as api_app
    from app.db import jobs as jobs_repo
    from app.db.tables import Interview as InterviewRow
    from app.services import jobs
    from tests.api.helpers import ago, create_interview, iso
    from tests.api.test_policy_api import DEFAULTS
    from tests.conftest import make_tenant

    monkeypatch.setattr(api_app, "WORK_MARGIN_SECONDS", 0)
    for variable, value in [("FOLLOWUP_AUTH_CACHE_SECONDS", "0.2"), ("FOLLOWUP_DB_POOL_TIMEOUT", "0.2"),
                            ("FOLLOWUP_SQLITE_BUSY_TIMEOUT_MS", "200")]:  # fmt: skip
        monkeypatch.setenv(variable, value)
    tenant = make_tenant(db)
    with TestClient(api_app.create_app(Settings(database_url=database_url, run_jobs=False))) as client:
        interviews = [create_interview(client, tenant, starts_at=iso(ago(days=d)), duration_minutes=30) for d in (1, 2)]
        changed = {**DEFAULTS, "thank_you_due_hours": 60, "thank_you_late_hours": 90}
        assert client.put("/v1/policy", json=changed, headers=tenant.headers).status_code == 200
    table = InterviewRow.__table__
    first_pass = jobs.replan_batch
    passes = []

    def replan_then_a_late_write(db_, **kwargs):
        stale = first_pass(db_, **kwargs)
        if not passes:  # another process, its old policy cached, writes a plan of version 1 now
            with db.engine.begin() as connection:
                connection.execute(table.update().where(table.c.id == interviews[0]["id"]).values(plan_policy_version=1))
        passes.append(stale)
        return stale

    monkeypatch.setattr(jobs, "replan_batch", replan_then_a_late_write)
    code, _, err = followup("jobs", "run")
    assert code == 0, err
    with db.engine.connect() as connection:
        versions = set(connection.execute(select(table.c.plan_policy_version)).scalars())
    assert versions == {2}, "a plan written with the old policy after the job's first pass stayed stale"
    with db.session(write=False) as session:
        assert jobs_repo.pending_count(session) == 0, "the job is finished"
