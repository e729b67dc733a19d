"""The `followup` command: serve, migrate, tenants, keys, openapi."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime

from app.settings import get_settings


def _now() -> datetime:
    return datetime.now(UTC)


def _db():
    from app.db.engine import Database
    from app.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    return Database(settings)


def cmd_migrate(_args) -> int:
    from app.db.migrate import upgrade

    upgrade(get_settings().database_url)
    print("database is at the latest schema", file=sys.stderr)
    return 0


def _this_command() -> str:
    """How the user runs this command again: `followup` when it is on PATH, else the path
    it was started by (`.venv/bin/followup` after `make run`, whose venv is not active:
    a hint saying `followup` answered "command not found")."""
    started = sys.argv[0]
    if os.path.basename(started) == "followup" and shutil.which("followup") is None:
        return started
    return "followup"


def cmd_serve(args) -> int:
    from app.db import tenants
    from app.server import serve

    db = _db()
    with db.session(write=False) as session:
        empty = not tenants.has_tenants(session)
    db.dispose()
    if empty:
        print(
            "No tenant yet. Create one and its first API key with:\n"
            f"    KEY=$({_this_command()} tenants create my-career-site)\n"
            f"then call e.g. curl -H \"Authorization: Bearer $KEY\" http://{args.host}:{args.port}/v1/interviews",
            file=sys.stderr,
        )
    serve(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)
    return 0


def cmd_tenants_create(args) -> int:
    from app.db import tenants

    db = _db()
    with db.session(write=True) as session:
        if (taken := tenants.tenant_named(session, args.name)) is not None:
            print(f"a tenant named {args.name!r} exists already ({taken}): choose another name", file=sys.stderr)
            return 1
        tenant_id = tenants.create_tenant(session, name=args.name, now=_now())
        key = tenants.create_key(session, tenant_id=tenant_id, label=args.label, now=_now())
    print(f"created tenant {args.name!r} ({tenant_id}); its API key is shown once:", file=sys.stderr)
    print(key)
    return 0


def cmd_tenants_delete(args) -> int:
    """Forget a tenant (a career site that leaves, an erasure request).

    Its keys are revoked first, then the data goes once no process can still take
    them: another process keeps a key for FOLLOWUP_AUTH_CACHE_SECONDS, and a request
    it let in may wait for a connection and a lock before it writes. Deleting at
    once made such requests fail with 500s (a write naming a tenant that is gone).
    `--no-wait` skips the wait when no service process runs.
    """
    from app.api.app import cached_write_window
    from app.db import tenants

    db = _db()
    with db.session(write=True) as session:
        tenant_id = _tenant_id(session, args.tenant)
        if tenant_id is None:
            return 1
        count = tenants.interview_count(session, tenant_id)
        if not args.yes:
            print(
                f"tenant {args.tenant!r} ({tenant_id}) holds {count} interview(s); nothing was deleted: "
                "add --yes to delete it with all its data, keys and templates",
                file=sys.stderr,
            )
            return 2
        revoked = tenants.revoke_tenant_keys(session, tenant_id=tenant_id, now=_now())
    if not args.no_wait:
        wait = cached_write_window(get_settings()).total_seconds()
        print(f"revoked {revoked} key(s); waiting {wait:.0f} s for other processes to stop taking them", file=sys.stderr)
        time.sleep(wait)
    with db.session(write=True) as session:
        count = tenants.delete_tenant(session, tenant_id)
    print(f"deleted tenant {args.tenant!r} ({tenant_id}) and its {count} interview(s)", file=sys.stderr)
    return 0


def _tenant_id(session, name_or_id: str) -> str | None:
    from app.db import tenants

    found = tenants.find_tenants(session, name_or_id)
    if not found:
        print(f"no tenant named {name_or_id!r}", file=sys.stderr)
        return None
    if len(found) > 1:
        ids = ", ".join(tenant_id for tenant_id, _ in found)
        print(f"{len(found)} tenants are named {name_or_id!r}; give the id of the one you mean: {ids}", file=sys.stderr)
        return None
    return found[0][0]


def cmd_keys_create(args) -> int:
    from app.db import tenants

    db = _db()
    with db.session(write=True) as session:
        tenant_id = _tenant_id(session, args.tenant)
        if tenant_id is None:
            return 1
        key = tenants.create_key(session, tenant_id=tenant_id, label=args.label, now=_now())
    print(key)
    return 0


def _named(value: str) -> str:
    """A tenant name, id or key prefix as typed: surrounding spaces dropped, never blank
    (a blank tenant name cannot be told apart in `keys list`, and a blank filter matched all)."""
    name = value.strip()
    if not name:
        raise argparse.ArgumentTypeError("must not be blank")
    if len(name) > 200:
        raise argparse.ArgumentTypeError("must be at most 200 characters")
    return name


def _bounded(low: int, high: int):
    """An argparse type for a whole number in [low, high]: `serve --port 70000` ended in
    asyncio's OverflowError traceback, and `--workers 0` or `-3` quietly served with one."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return number

    return parse


def _label(value: str) -> str:
    """A key's label: free text, at most what the column holds (200 characters; PostgreSQL
    refused a longer one with a traceback, SQLite stored it)."""
    label = value.strip()
    if len(label) > 200:
        raise argparse.ArgumentTypeError("must be at most 200 characters")
    return label


def cmd_keys_list(args) -> int:
    from app.db import tenants

    db = _db()
    with db.session(write=False) as session:
        tenant_id = _tenant_id(session, args.tenant) if args.tenant else None
        if args.tenant and tenant_id is None:
            return 1
        keys = tenants.list_keys(session, tenant_id=tenant_id)
    for k in keys:
        state = f"revoked {k.revoked_at.isoformat()}" if k.revoked_at else "active"
        print(f"{k.id}\t{k.prefix}…\t{k.tenant_name}\t{k.tenant_id}\t{k.label or '-'}\t{k.created_at.isoformat()}\t{state}")
    return 0


def cmd_keys_revoke(args) -> int:
    from app.db import tenants

    db = _db()
    with db.session(write=True) as session:
        matching = tenants.active_keys_matching(session, args.key)
        if len(matching) > 1:
            print(
                f"{len(matching)} active keys start with {args.key!r}; revoke one by its id: {', '.join(matching)}",
                file=sys.stderr,
            )
            return 1
        count = tenants.revoke_key(session, key_id_or_prefix=matching[0], now=_now()) if matching else 0
    if count == 0:
        shown = args.key[:10] + "…" if args.key.startswith("fu_") and len(args.key) > 12 else args.key  # never echo a key
        print(f"no active key with id or prefix {shown!r}", file=sys.stderr)
        return 1
    print(f"revoked {count} key(s)", file=sys.stderr)
    return 0


def cmd_openapi(args) -> int:
    from app.api.app import create_app
    from app.settings import Settings

    spec = create_app(Settings(run_jobs=False)).openapi()
    text = json.dumps(spec, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_templates_check(_args) -> int:
    from app.db import templates as templates_repo
    from app.services import templates

    db = _db()
    with db.session(write=False) as session:
        stored = templates_repo.every(session)
    failing = 0
    for template in stored:
        problem = templates.stored_problem(template, now=_now())
        if problem is not None:
            failing += 1
            print(f"{template.tenant_id}\t{template.id}\t{template.message_kind}\t{template.locale}\t{problem}")
    print(f"checked {len(stored)} template(s): {failing} fail today's checks", file=sys.stderr)
    return 1 if failing else 0


def cmd_jobs_run(_args) -> int:
    """Run the pending jobs until none is left to run within the next few seconds.

    A re-plan after a policy change finishes only by a pass once no process can still
    write with the old policy (`cached_write_window`, as the service's job loop): this
    command waits for that pass instead of finishing the job at once, which left plans a
    service process wrote meanwhile stale in /v1/actions. A job that failed and waits
    longer than that window for its retry is left for the next run (or a service process).
    """
    from app.api.app import cached_write_window
    from app.db import jobs as jobs_repo
    from app.services import jobs

    settings = get_settings()
    settle = cached_write_window(settings)
    db = _db()
    steps, announced = 0, None
    while True:
        steps += jobs.run_until_idle(db, now=_now, batch_size=settings.replan_batch_size, settle=settle)
        with db.session(write=False) as session:
            next_at = jobs_repo.next_run_after(session)
        if next_at is None or next_at > _now() + settle:
            break
        if next_at != announced:
            print(f"the next job step is due at {next_at.isoformat()}: waiting for it", file=sys.stderr)
            announced = next_at
        # A job due now that could not be claimed runs in another process: look again shortly, not in a spin.
        time.sleep(max(0.25, (next_at - _now()).total_seconds() + 0.01))
    print(f"ran {steps} job step(s)", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="followup", description="The interview follow-up service.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_bounded(0, 65535), default=8000)
    serve.add_argument("--workers", type=_bounded(1, 256), default=1)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="apply the database migrations").set_defaults(func=cmd_migrate)

    tenants = commands.add_parser("tenants", help="manage tenants").add_subparsers(dest="action", required=True)
    create = tenants.add_parser("create", help="create a tenant and print its first API key")
    create.add_argument("name", type=_named)
    create.add_argument("--label", type=_label, default="first key")
    create.set_defaults(func=cmd_tenants_create)
    remove = tenants.add_parser("delete", help="delete a tenant with all its data, keys and templates")
    remove.add_argument("tenant", type=_named, help="tenant name or id")
    remove.add_argument("--yes", action="store_true", help="really delete (without it, only say what would go)")
    remove.add_argument("--no-wait", action="store_true", help="delete right after revoking its keys (no service running)")
    remove.set_defaults(func=cmd_tenants_delete)

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)
    kcreate = keys.add_parser("create", help="create another key for a tenant and print it")
    kcreate.add_argument("tenant", type=_named, help="tenant name or id")
    kcreate.add_argument("--label", type=_label)
    kcreate.set_defaults(func=cmd_keys_create)
    klist = keys.add_parser("list", help="list keys (never the keys themselves)")
    klist.add_argument("--tenant", type=_named)
    klist.set_defaults(func=cmd_keys_list)
    krevoke = keys.add_parser("revoke", help="revoke a key by the key itself, its id or its prefix")
    krevoke.add_argument("key", type=_named, help="the key (fu_...), its id, or its prefix as `keys list` prints it")
    krevoke.set_defaults(func=cmd_keys_revoke)

    spec = commands.add_parser("openapi", help="print the OpenAPI document")
    spec.add_argument("--output", "-o")
    spec.set_defaults(func=cmd_openapi)

    tpl = commands.add_parser("templates", help="tenant templates").add_subparsers(dest="action", required=True)
    tpl.add_parser(
        "check", help="list stored templates that fail today's checks or a render on the sample (exit 1 if any)"
    ).set_defaults(func=cmd_templates_check)

    jobs = commands.add_parser("jobs", help="background jobs").add_subparsers(dest="action", required=True)
    jobs.add_parser(
        "run", help="run pending jobs until the queue is empty (a re-plan's last pass comes about 22 s after its policy change)"
    ).set_defaults(func=cmd_jobs_run)
    return root


def _setting_errors(error) -> list[str]:
    """One line per refused `FOLLOWUP_*` variable, naming it; never its value, which
    may be a database password."""
    lines = []
    for problem in error.errors():
        name = "FOLLOWUP_" + "_".join(str(part) for part in problem["loc"][:1]).upper()
        lines.append(f"followup: {name} is not valid: {problem['msg'].removeprefix('Value error, ')}")
    return lines


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from app.db.migrate import UnknownSchema

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as error:  # a FOLLOWUP_* variable that does not parse (FOLLOWUP_DB_POOL_SIZE=abc)
        if error.title != "Settings":
            raise
        print("\n".join(_setting_errors(error)), file=sys.stderr)
        return 1
    except OperationalError as error:  # a server that is down, or a wrong host or port
        print(f"followup: the database is unreachable: {str(error.orig).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    except UnknownSchema as error:
        print(f"followup: {error}", file=sys.stderr)
        return 1
    except (ArgumentError, NoSuchModuleError) as error:  # a typo in FOLLOWUP_DATABASE_URL (postgres://...)
        print(f"followup: FOLLOWUP_DATABASE_URL is not a database URL this service takes: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
