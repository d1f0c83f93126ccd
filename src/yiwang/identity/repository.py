"""All SQL of the identity domain."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from yiwang.database import Db
from yiwang.identity.models import accounts, login_failures, sessions


async def account_by_id(db: Db, account_id: str) -> sa.Row[Any] | None:
    """One account by its id."""
    return (await db.execute(sa.select(accounts).where(accounts.c.id == account_id))).first()


async def account_by_login(db: Db, identifier: str) -> sa.Row[Any] | None:
    """The account a sign-in name points to: username first, then mobile number, then ID."""
    preference = sa.case(
        (accounts.c.username == identifier, 0),
        (accounts.c.phone == identifier, 1),
        else_=2,
    )
    query = (
        sa.select(accounts)
        .where(
            sa.or_(
                accounts.c.username == identifier,
                accounts.c.phone == identifier,
                accounts.c.id_number == identifier.upper(),
            )
        )
        .order_by(preference)
        .limit(1)
    )
    return (await db.execute(query)).first()


async def account_taken(db: Db, *, username: str, id_number: str | None, phone: str | None) -> bool:
    """Whether any of these sign-in names already belongs to an account, in any role.

    Usernames, mobile numbers and ID numbers share one namespace: a new username may not be
    someone's phone number, or signing in by that phone would become ambiguous.
    """
    names = [n for n in (username, id_number, phone) if n]
    query = (
        sa.select(sa.literal(1))
        .where(
            sa.or_(
                accounts.c.username.in_(names),
                accounts.c.phone.in_(names),
                accounts.c.id_number.in_([n.upper() for n in names]),
            )
        )
        .limit(1)
    )
    return (await db.execute(query)).first() is not None


async def insert_account(db: Db, values: dict[str, Any]) -> None:
    """Store a new account."""
    await db.execute(sa.insert(accounts).values(**values))


async def update_password_hash(db: Db, account_id: str, password_hash: str) -> None:
    """Replace an account's password hash."""
    await db.execute(
        sa.update(accounts)
        .where(accounts.c.id == account_id)
        .values(password_hash=password_hash, updated_at=dt.datetime.now(dt.UTC))
    )


async def count_failures(db: Db, *, scope: str, key: str, since: dt.datetime) -> int:
    """Failed sign-ins for an account or a client address since a moment."""
    query = sa.select(sa.func.count()).where(
        login_failures.c.scope == scope,
        login_failures.c.key == key,
        login_failures.c.failed_at >= since,
    )
    return int((await db.execute(query)).scalar_one())


async def add_failures(db: Db, rows: list[dict[str, Any]], *, prune_before: dt.datetime) -> None:
    """Count failed sign-ins and forget those older than the window."""
    await db.execute(sa.delete(login_failures).where(login_failures.c.failed_at < prune_before))
    await db.execute(sa.insert(login_failures), rows)


async def clear_failures(db: Db, *, scope: str, key: str) -> None:
    """Forget an account's failures after it signs in."""
    await db.execute(
        sa.delete(login_failures).where(
            login_failures.c.scope == scope, login_failures.c.key == key
        )
    )


async def insert_session(db: Db, values: dict[str, Any]) -> None:
    """Store a new sign-in session."""
    await db.execute(sa.insert(sessions).values(**values))


@functools.cache
def session_with_account_query() -> sa.Select[Any]:
    """A session and its account, by the token's hash (bound as ``token_hash``)."""
    return (
        sa.select(
            sessions.c.token_hash,
            sessions.c.kind.label("session_kind"),
            sessions.c.expires_at,
            sessions.c.revoked_at,
            accounts,
        )
        .join(accounts, accounts.c.id == sessions.c.account_id)
        .where(sessions.c.token_hash == sa.bindparam("token_hash", type_=sa.String))
    )


async def session_with_account(db: Db, token_hash: str) -> sa.Row[Any] | None:
    """A session and its account, by the token's hash."""
    result = await db.execute(session_with_account_query(), {"token_hash": token_hash})
    return result.first()


async def revoke_session(db: Db, token_hash: str, *, at: dt.datetime) -> int:
    """End a session; returns 1 if it was open."""
    result = await db.execute(
        sa.update(sessions)
        .where(sessions.c.token_hash == token_hash, sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount


@functools.cache
def staff_query() -> sa.Select[Any]:
    """A department's active staff accounts and their roles, by username (``department_code``)."""
    return (
        sa.select(accounts.c.id, accounts.c.roles)
        .where(
            accounts.c.kind == "staff",
            accounts.c.department_code == sa.bindparam("department_code", type_=sa.String),
            accounts.c.status == "active",
        )
        .order_by(accounts.c.username)
    )


def holding(rows: Iterable[Mapping[str, Any]], role: str) -> list[str]:
    """The ids of the staff rows (``staff_query``'s, as mappings from the raw driver) holding a
    role; through SQLAlchemy, `colleagues`."""
    return [row["id"] for row in rows if role in (row["roles"] or [])]


async def colleagues(db: Db, *, department_code: str, role: str) -> list[sa.Row[Any]]:
    """Active staff accounts of a department holding a role (id, username, name), by username."""
    query = staff_query().add_columns(accounts.c.username, accounts.c.name)
    rows = await db.execute(query, {"department_code": department_code})
    return [row for row in rows if role in (row.roles or [])]


async def officers(db: Db, *, department_code: str, role: str) -> list[str]:
    """The ids of `colleagues`."""
    return [row.id for row in await colleagues(db, department_code=department_code, role=role)]
