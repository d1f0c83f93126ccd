"""Identity endpoints: register, token, sign-out, me."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, status

from yiwang.api.deps import (
    ClientDep,
    CurrentAccount,
    DbDep,
    PolicyDep,
    RegistryDep,
    SettingsDep,
    TokenDep,
)
from yiwang.catalog import service as catalog
from yiwang.database import Db
from yiwang.identity import service as identity
from yiwang.identity.schemas import MeOut, Registration, TokenOut
from yiwang.kit.validators import mask_id_number, mask_phone

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=MeOut)
async def register(
    request: Request,
    body: Registration,
    registry: RegistryDep,
    client: ClientDep,
    policy: PolicyDep,
) -> MeOut:
    """实名注册: create a citizen account verified against the population registry.
    \f
    No unit of work: nothing of the database is held while the registry answers."""
    engine = request.app.state.engine
    account = await identity.register_citizen(
        engine,
        registry=registry,
        name=body.name,
        id_number=body.id_number,
        phone=body.phone,
        password=body.password,
        client=client,
        policy=policy,
        strict_audit=request.app.state.settings.strict_audit,
    )
    return await me_out(None, account)  # a citizen: nothing more to read


@router.post("/auth/token", response_model=TokenOut)
async def token(
    username: Annotated[str, Form(min_length=1, max_length=128)],
    password: Annotated[str, Form(min_length=1, max_length=128)],
    db: DbDep,
    settings: SettingsDep,
    client: ClientDep,
    policy: PolicyDep,
) -> TokenOut:
    """OAuth2 password grant: exchange an account name and password for a bearer token."""
    account = await identity.authenticate(
        db, identifier=username, password=password, client=client, policy=policy
    )
    ttl = dt.timedelta(minutes=settings.token_minutes)
    access_token, _ = await identity.start_session(
        db, account=account, kind="api", client=client, ttl=ttl
    )
    return TokenOut(access_token=access_token, expires_in=int(ttl.total_seconds()))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(db: DbDep, account: CurrentAccount, token: TokenDep) -> None:
    """Revoke the bearer token used for this request."""
    await identity.end_session(db, account=account, token=token)


@router.get("/me", response_model=MeOut)
async def me(db: DbDep, account: CurrentAccount) -> MeOut:
    """Who is signed in; ID and mobile numbers masked."""
    return await me_out(db, account)


async def me_out(db: Db | None, account: identity.Account) -> MeOut:
    """The owner's view of an account (the database is read for a staff member's department)."""
    department = None
    if account.department_code:
        assert db is not None
        found = await catalog.get_department(db, account.department_code)
        department = {"code": found["code"], "name": found["name"], "name_en": found["name_en"]}
    return MeOut(
        id=account.id,
        username=account.username,
        kind=account.kind,
        name=account.name,
        id_number=mask_id_number(account.id_number) if account.id_number else None,
        phone=mask_phone(account.phone) if account.phone else None,
        uscc=account.uscc,
        enterprise_name=account.enterprise_name,
        department=department,
        roles=list(account.roles),
        realname_verified=account.realname_verified_at is not None,
        realname_verified_at=account.realname_verified_at,
    )
