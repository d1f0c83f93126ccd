"""What the identity API accepts and returns."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Registration(BaseModel):
    """实名注册: a citizen's name, resident ID number, mobile number and password."""

    # Names and numbers are trimmed by the service; a password is taken exactly as typed.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    id_number: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class MeOut(BaseModel):
    """The signed-in account as its owner sees it; personal numbers masked."""

    id: str
    username: str
    kind: str
    name: str
    id_number: str | None = None
    phone: str | None = None
    uscc: str | None = None
    enterprise_name: str | None = None
    department: dict[str, str] | None = None
    roles: list[str]
    realname_verified: bool
    realname_verified_at: dt.datetime | None = None
