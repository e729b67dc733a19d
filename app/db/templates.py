"""Tenants' own message templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from app.db.driver import RawSQL, utc
from app.db.tables import Template

template_t = Template.__table__


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    id: str
    tenant_id: str
    message_kind: str
    locale: str
    subject: str | None
    text: str
    html: str | None
    version: int
    created_at: datetime
    updated_at: datetime


def _stored(row) -> StoredTemplate:
    return StoredTemplate(
        row.id, row.tenant_id, row.message_kind, row.locale, row.subject, row.text, row.html, row.version, row.created_at, row.updated_at
    )


def insert(session: Connection, *, template: StoredTemplate) -> None:
    session.execute(
        template_t.insert().values(
            id=template.id,
            tenant_id=template.tenant_id,
            message_kind=template.message_kind,
            locale=template.locale,
            subject=template.subject,
            text=template.text,
            html=template.html,
            version=template.version,
            created_at=template.created_at,
            updated_at=template.updated_at,
        )
    )


def replace(session: Connection, *, template: StoredTemplate) -> None:
    session.execute(
        update(template_t)
        .where(template_t.c.id == template.id, template_t.c.tenant_id == template.tenant_id)
        .values(
            message_kind=template.message_kind,
            locale=template.locale,
            subject=template.subject,
            text=template.text,
            html=template.html,
            version=template.version,
            updated_at=template.updated_at,
        )
    )


def remove(session: Connection, *, tenant_id: str, template_id: str) -> None:
    session.execute(delete(template_t).where(template_t.c.id == template_id, template_t.c.tenant_id == tenant_id))


def get(session: Connection, *, tenant_id: str, template_id: str, for_update: bool = False) -> StoredTemplate | None:
    """One template of this tenant, or None; `for_update` locks its row (PostgreSQL) for a
    replace or delete, so that a concurrent one waits and then finds what this one left."""
    query = select(template_t).where(template_t.c.id == template_id, template_t.c.tenant_id == tenant_id)
    row = session.execute(query.with_for_update() if for_update else query).first()
    return _stored(row) if row else None


def find(session: Connection, *, tenant_id: str, message_kind: str, locale: str, except_id: str | None = None) -> StoredTemplate | None:
    query = select(template_t).where(
        template_t.c.tenant_id == tenant_id, template_t.c.message_kind == message_kind, template_t.c.locale == locale
    )
    if except_id is not None:
        query = query.where(template_t.c.id != except_id)
    row = session.execute(query.limit(1)).first()
    return _stored(row) if row else None


_FIND_SQL = (
    "SELECT id, tenant_id, message_kind, locale, subject, text, html, version, created_at, updated_at "
    "FROM template WHERE tenant_id = ? AND message_kind = ? AND locale IN ({})"
)


def first_query(*, tenant_id: str, message_kind: str, locales: Sequence[str]) -> tuple[str, tuple]:
    """The read of the tenant's templates for this kind in any of `locales` (driver
    SQL and parameters): a message's render sends it along with its other reads."""
    return _FIND_SQL.format(", ".join("?" * len(locales))), (tenant_id, message_kind, *locales)


def first_of(rows: Sequence[Sequence], locales: Sequence[str]) -> StoredTemplate | None:
    """The template in the first of `locales` among the rows of `first_query`, or None."""
    if not rows:
        return None
    by_locale = {row[3]: row for row in rows}
    row = next(by_locale[locale] for locale in locales if locale in by_locale)
    return StoredTemplate(*row[:8], utc(row[8]), utc(row[9]))


def first(session: Connection, *, tenant_id: str, message_kind: str, locales: Sequence[str]) -> StoredTemplate | None:
    """The tenant's template for this kind in the first of `locales` that has one, or None."""
    if not locales:
        return None
    sql, params = first_query(tenant_id=tenant_id, message_kind=message_kind, locales=locales)
    with RawSQL(session) as reader:
        return first_of(reader.all(sql, params), locales)


def every(session: Connection) -> list[StoredTemplate]:
    """Every tenant's templates, oldest first: an operator's check, never a request path."""
    rows = session.execute(select(template_t).order_by(template_t.c.created_at, template_t.c.id))
    return [_stored(row) for row in rows]


def page(session: Connection, *, tenant_id: str, after: tuple[datetime, str] | None, limit: int) -> list[StoredTemplate]:
    query = select(template_t).where(template_t.c.tenant_id == tenant_id)
    if after is not None:
        created_at, template_id = after
        query = query.where(
            (template_t.c.created_at > created_at)
            | ((template_t.c.created_at == created_at) & (template_t.c.id > template_id))
        )
    rows = session.execute(query.order_by(template_t.c.created_at, template_t.c.id).limit(limit + 1)).all()
    return [_stored(r) for r in rows]
