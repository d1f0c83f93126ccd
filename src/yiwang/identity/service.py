"""The identity verbs: register with real-name verification, sign in, sessions, accounts."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
import secrets
import types
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.audit import service as audit
from yiwang.database import Db, reader, transaction
from yiwang.errors import Invalid, TooManyRequests, Unauthorized, Unavailable, field_error
from yiwang.exchange.connectors import PopulationRegistry, SourceUnavailable
from yiwang.identity import passwords
from yiwang.identity import repository as repo
from yiwang.kit import regions
from yiwang.kit.ids import new_id
from yiwang.kit.text import clean_person_name
from yiwang.kit.validators import (
    InvalidIdNumber,
    InvalidPhone,
    InvalidUscc,
    normalize_mobile,
    parse_id_number,
    parse_uscc,
)

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# Chinese names (with the interpunct of minority names) or names in Latin letters.
_NAME = re.compile(r"^(?:[\u3400-\u9fff\uf900-\ufaff·•]{2,30}|[A-Za-z][A-Za-z .'\-·]{1,59})$")


@dataclasses.dataclass(frozen=True)
class Account:
    """A person or organisation that can sign in."""

    id: str
    username: str
    kind: str
    name: str
    id_number: str | None
    phone: str | None
    uscc: str | None
    enterprise_name: str | None
    department_code: str | None
    roles: tuple[str, ...]
    realname_verified_at: dt.datetime | None
    status: str

    @property
    def label(self) -> str:
        """How the audit log names this account."""
        return f"{self.kind}:{self.username}"

    @classmethod
    def from_row(cls, row: Any) -> Account:
        """Build from a database row of ``accounts``."""
        return cls(
            id=row.id,
            username=row.username,
            kind=row.kind,
            name=row.name,
            id_number=row.id_number,
            phone=row.phone,
            uscc=row.uscc,
            enterprise_name=row.enterprise_name,
            department_code=row.department_code,
            roles=tuple(row.roles or ()),
            realname_verified_at=(
                _aware(row.realname_verified_at) if row.realname_verified_at else None
            ),
            status=row.status,
        )


@dataclasses.dataclass(frozen=True)
class SignInPolicy:
    """How many failed sign-ins, per account and per client address, a window allows."""

    window: dt.timedelta = dt.timedelta(minutes=15)
    max_per_account: int = 5
    max_per_address: int = 20


@dataclasses.dataclass(frozen=True)
class Client:
    """Where a request comes from, for throttling and the session record."""

    address: str = "unknown"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def clean_name(value: str) -> str:
    """A name as the registry would compare it (one kind of 间隔号, simplified, trimmed), or
    ValueError if it is not a person's name."""
    name = clean_person_name(value)
    if not _NAME.match(name):
        raise ValueError(name)
    return name


def check_id_number(value: str) -> str:
    """The 18-character ID number, upgraded from 15 digits if needed; InvalidIdNumber if not."""
    return parse_id_number(value, region_exists=regions.exists).value


async def register_citizen(
    engine: AsyncEngine,
    *,
    registry: PopulationRegistry,
    name: str,
    id_number: str,
    phone: str,
    password: str,
    client: Client,
    policy: SignInPolicy,
    strict_audit: bool = True,
) -> Account:
    """实名注册: check every field, match name + ID against the population registry, store.

    Nothing of the database is held while the registry answers or the password is hashed: the
    throttle is read in a short transaction of its own, and a failed match (counted per ID
    number and address) or the new account is written in another. (A request's unit of work
    held a pooled connection across the registry's answer, and a crowd registering while the
    registry was slow would have kept every other request waiting for one.)

    The password is hashed before the registry is asked: the hash goes through the process's
    password gate, and a crowd's excess is told at once to come back (503 ``sign_in_busy``)
    without the registry, another department's system, having been asked for anyone it turns
    away; asked after, every retry would ask it again. A registry that keeps failing is left
    alone for a while (the connector's breaker): until then registration answers
    ``registry_unavailable`` at once, asking nothing and hashing nothing.
    """
    errors: list[dict[str, Any]] = []
    try:
        name = clean_name(name)
    except ValueError:
        errors.append(field_error("name", "invalid_name"))
    parsed = None
    try:
        parsed = parse_id_number(id_number, region_exists=regions.exists)
    except InvalidIdNumber as exc:
        errors.append(
            field_error("id_number", "invalid_id_number", message_key=_id_message(exc.reason))
        )
    try:
        phone = normalize_mobile(phone)
    except InvalidPhone:
        errors.append(field_error("phone", "invalid_phone"))
    avoid = (phone, id_number)
    if parsed is not None:
        avoid += (parsed.value, parsed.birth_date.strftime("%Y%m%d"))
    if passwords.is_weak(password, avoid=avoid):
        errors.append(field_error("password", "weak_password"))
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    assert parsed is not None
    keys = {"register_id": parsed.value, "register_address": client.address}
    down_for = registry.down_for()
    if down_for is not None:  # it has failed again and again: not asked, nothing hashed
        raise Unavailable("registry_unavailable", headers={"Retry-After": str(down_for)})
    passwords.gate().refuse_if_full()  # before anything is read
    async with transaction(engine, write=False) as read:
        await _refuse_if_throttled(read, keys, policy)
    password_hash = await passwords.hash_password(password)
    try:
        matched = await registry.names_match(name=name, id_number=parsed.value)
    except SourceUnavailable as exc:
        raise Unavailable("registry_unavailable", headers={"Retry-After": "30"}) from exc
    if not matched:
        async with transaction(engine, strict_audit=strict_audit) as db:
            await _count_failure(db, keys, policy, action="account.realname_failed", target_id=None)
        raise RealnameMismatch(
            details=[
                field_error("name", "realname_mismatch"),
                field_error("id_number", "realname_mismatch"),
            ]
        )
    username = f"c{secrets.token_hex(6)}"  # opaque: a phone number is not a public handle
    async with transaction(engine, strict_audit=strict_audit) as db:
        if await repo.account_taken(db, username=username, id_number=parsed.value, phone=phone):
            raise Invalid("account_exists", details=[field_error("id_number", "account_exists")])
        account = await _insert(
            db,
            kind="citizen",
            username=username,
            name=name,
            id_number=parsed.value,
            phone=phone,
            password_hash=password_hash,
            realname_source=registry.source,
        )
        await audit.record(
            db,
            actor=account,
            action="account.registered",
            target_type="account",
            target_id=account.id,
            after={
                "kind": "citizen",
                "name": name,
                "id_number": parsed.value,
                "phone": phone,
                "realname_source": registry.source,
            },
        )
    return account


class RealnameMismatch(Invalid):
    """The registry does not hold this name under this ID number; the attempt is counted (in a
    transaction of its own, before this is raised)."""

    code = "realname_mismatch"


async def _refuse_if_throttled(db: Db, keys: dict[str, str], policy: SignInPolicy) -> None:
    """429 when any key has used up its failures in the window."""
    since = _now() - policy.window
    for scope, key in keys.items():
        limit = policy.max_per_address if scope.endswith("address") else policy.max_per_account
        if await repo.count_failures(db, scope=scope, key=key, since=since) >= limit:
            seconds = int(policy.window.total_seconds())
            raise TooManyRequests(
                params={"minutes": max(1, seconds // 60)}, headers={"Retry-After": str(seconds)}
            )


async def _count_failure(
    db: Db, keys: dict[str, str], policy: SignInPolicy, *, action: str, target_id: str | None
) -> None:
    """Remember a failed attempt under each key, with its audit row."""
    now = _now()
    rows = [{"scope": scope, "key": key[:128], "failed_at": now} for scope, key in keys.items()]
    await repo.add_failures(db, rows, prune_before=now - policy.window)
    address = next((k for s, k in keys.items() if s.endswith("address")), None)
    await audit.record(
        db,
        actor=None,
        action=action,
        target_type="account",
        target_id=target_id,
        after={"client_address": address},
    )


def _id_message(reason: str) -> str:
    return "invalid_id_number" if reason == "format" else f"invalid_id_number.{reason}"


async def create_account(
    db: Db,
    *,
    actor: audit.Actor | None,
    kind: str,
    username: str,
    name: str,
    password: str | None = None,
    password_hash: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    uscc: str | None = None,
    enterprise_name: str | None = None,
    department_code: str | None = None,
    roles: Sequence[str] = (),
    realname_source: str | None = None,
) -> Account:
    """Create an account as an administrator or operator (demo accounts, staff, enterprises)."""
    if kind not in ("citizen", "enterprise", "staff", "admin"):
        raise Invalid(details=[field_error("kind", "validation_error")])
    errors = []
    if id_number:
        try:
            id_number = check_id_number(id_number)
        except InvalidIdNumber as exc:
            errors.append(
                field_error("id_number", "invalid_id_number", message_key=_id_message(exc.reason))
            )
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhone:
            errors.append(field_error("phone", "invalid_phone"))
    if uscc:
        try:
            uscc = parse_uscc(uscc).value
        except InvalidUscc:
            errors.append(field_error("uscc", "invalid_uscc"))
    if kind == "enterprise" and not uscc and not errors:
        errors.append(field_error("uscc", "invalid_uscc"))
    if password_hash is None:
        if password is None or passwords.is_weak(password):
            errors.append(field_error("password", "weak_password"))
        else:
            password_hash = await passwords.hash_password(password)
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    if await repo.account_taken(db, username=username, id_number=id_number, phone=phone):
        raise Invalid("account_exists", details=[field_error("username", "account_exists")])
    assert password_hash is not None
    account = await _insert(
        db,
        kind=kind,
        username=username,
        name=name,
        id_number=id_number,
        phone=phone,
        uscc=uscc,
        enterprise_name=enterprise_name,
        department_code=department_code,
        roles=list(roles),
        password_hash=password_hash,
        realname_source=realname_source,
    )
    await audit.record(
        db,
        actor=actor,
        action="account.created",
        target_type="account",
        target_id=account.id,
        after={
            "kind": kind,
            "username": username,
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "uscc": uscc,
            "department_code": department_code,
            "roles": list(roles),
        },
    )
    return account


async def _insert(db: Db, **values: Any) -> Account:
    now = _now()
    row = {
        "id": new_id(),
        "id_number": None,
        "phone": None,
        "uscc": None,
        "enterprise_name": None,
        "department_code": None,
        "realname_source": None,
        "roles": [],
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "realname_verified_at": now if values.get("realname_source") else None,
        **values,
    }
    try:
        async with db.begin_nested():
            await repo.insert_account(db, row)
    except sa.exc.IntegrityError as exc:  # a concurrent registration won the race
        raise Invalid(
            "account_exists", details=[field_error("id_number", "account_exists")]
        ) from exc
    return Account.from_row(types.SimpleNamespace(**row))


class LoginFailed(Unauthorized):
    """A refused sign-in; the failure it counts is committed even though the request fails."""

    code = "invalid_credentials"
    keep_changes = True


async def authenticate(
    db: Db,
    *,
    identifier: str,
    password: str,
    client: Client,
    policy: SignInPolicy,
) -> Account:
    """Check a password; throttled per account and per address, equally slow for unknown names.

    The account and the counters are read beside the unit of work, so the argon2 check that
    follows holds no lock; only the outcome (a session, or a counted failure) is written.
    """
    identifier = identifier.strip()
    if _CONTROL_CHARS.search(identifier):
        raise Invalid("invalid_characters", status=400)
    passwords.gate().refuse_if_full()  # a crowd's excess hears at once, having read nothing
    async with reader(db) as read:
        row = await repo.account_by_login(read, identifier)
        # Failures count against the account, however it was named (username, phone or ID);
        # a name that matches no account is counted under the name itself.
        account_key = f"id:{row.id}" if row is not None else f"name:{identifier.lower()[:120]}"
        keys = {"account": account_key, "address": client.address}
        await _refuse_if_throttled(read, keys, policy)
    stored = row.password_hash if row is not None else await passwords.dummy_hash()
    ok = await passwords.verify_password(stored, password)
    if row is None or not ok or row.status != "active":
        await _count_failure(
            db, keys, policy, action="auth.sign_in_failed", target_id=row.id if row else None
        )
        raise LoginFailed()
    account = Account.from_row(row)
    if passwords.needs_rehash(row.password_hash):
        # Before anything is written: a busy gate then leaves the old hash for a later sign-in
        # instead of refusing a right password, or stopping a unit that has already written.
        with contextlib.suppress(Unavailable):
            await repo.update_password_hash(db, account.id, await passwords.hash_password(password))
    await repo.clear_failures(db, scope="account", key=account_key)
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    db: Db, *, account: Account, kind: str, client: Client, ttl: dt.timedelta
) -> tuple[str, dt.datetime]:
    """Open a web session or issue an API bearer token; returns the secret and its expiry."""
    token = secrets.token_urlsafe(32)
    now = _now()
    expires_at = now + ttl
    await repo.insert_session(
        db,
        {
            "token_hash": _token_hash(token),
            "account_id": account.id,
            "kind": kind,
            "created_at": now,
            "expires_at": expires_at,
            "client_address": client.address,
        },
    )
    await audit.record(
        db,
        actor=account,
        action="auth.signed_in",
        target_type="account",
        target_id=account.id,
        after={"session_kind": kind, "client_address": client.address},
    )
    return token, expires_at


async def account_for_token(db: Db, token: str, *, kind: str | None = None) -> Account:
    """The account behind a bearer token or session cookie, or 401 saying why not."""
    return account_of_session(await repo.session_with_account(db, _token_hash(token)), kind=kind)


def token_hash(token: str) -> str:
    """How a token is looked up (only its hash is stored)."""
    return _token_hash(token)


def account_of_session(found: Any, *, kind: str | None = None) -> Account:
    """The account of a session row (read by either driver), or 401 saying why not."""
    row = types.SimpleNamespace(**found) if isinstance(found, dict) else found
    if row is None or row.revoked_at is not None or (kind and row.session_kind != kind):
        raise Unauthorized("invalid_token", headers={"WWW-Authenticate": "Bearer"})
    if _aware(row.expires_at) <= _now():
        raise Unauthorized("token_expired", headers={"WWW-Authenticate": "Bearer"})
    if row.status != "active":
        raise Unauthorized("account_disabled")
    return Account.from_row(row)


async def end_session(db: Db, *, account: Account, token: str) -> None:
    """Sign out: the token or cookie stops working at once."""
    if await repo.revoke_session(db, _token_hash(token), at=_now()):
        await audit.record(
            db, actor=account, action="auth.signed_out", target_type="account", target_id=account.id
        )


async def revoke_token(db: Db, token: str) -> None:
    """End whatever session a token belongs to (a browser's old one, on a new sign-in)."""
    row = await repo.session_with_account(db, _token_hash(token))
    if row is not None and row.revoked_at is None:
        await end_session(db, account=Account.from_row(row), token=token)


async def get_account(db: Db, account_id: str) -> Account | None:
    """One account by id."""
    row = await repo.account_by_id(db, account_id)
    return Account.from_row(row) if row is not None else None
