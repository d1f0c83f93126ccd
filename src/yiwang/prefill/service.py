"""授权 and 预填: consent to fetch named data elements for one purpose, then a form filled from
the departments' systems, each value with its provenance.

Nothing fetched is stored here. The prefill answer carries a signed token naming which value came
from where (values themselves only as keyed digests); a submission hands it back, and the
application records which answers were verified, which the person changed and which they typed.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.audit import service as audit
from yiwang.catalog.items import DataSource
from yiwang.catalog.loader import Catalog
from yiwang.catalog.subjects import Subject
from yiwang.database import Db, transaction, write_unit
from yiwang.errors import Forbidden, Invalid, NotFound, field_error
from yiwang.exchange import service as exchange
from yiwang.identity.service import Account
from yiwang.kit.ids import new_id
from yiwang.prefill.models import consents

# What a consent may be for; one purpose per consent.
PURPOSES = ("prefill",)
CONSENT_DAYS = 30
TOKEN_HOURS = 4
# The platform's own record of the applicant (实名认证), for the keys it already holds.
ACCOUNT_SOURCE = "realname"


@dataclasses.dataclass(frozen=True)
class Plan:
    """Which source each field of a form is asked from; fields nobody can supply are left out."""

    by_source: dict[str, frozenset[str]]  # source code -> elements
    sources: dict[str, DataSource]
    keys: dict[str, str]  # key element -> the applicant's value
    fields: dict[str, str]  # field name -> element, for every field of the form

    @property
    def elements(self) -> list[str]:
        """Every element the plan fetches: what a consent must name."""
        return sorted({e for elements in self.by_source.values() for e in elements})


def keys_of(account: Account) -> dict[str, str]:
    """The identifiers sources are asked by: the applicant's own, verified at registration."""
    keys: dict[str, str] = {}
    if account.kind == "citizen" and account.id_number:
        keys["person.id_number"] = account.id_number
    if account.kind == "enterprise" and account.uscc:
        keys["enterprise.uscc"] = account.uscc
    return keys


def plan(catalog: Catalog, *, subject: Subject, account: Account) -> Plan:
    """For each field, the source to ask: the element's authoritative department first."""
    keys = keys_of(account)
    fields = {f.name: f.element for f in subject.fields}
    wanted = set(fields.values()) - set(keys)
    usable = [
        (s, set(s.elements))  # DataSource.elements builds its list on every read
        for s in catalog.sources.values()
        if s.sharing != "none" and any(k in keys for k in s.keys)
    ]
    by_source: dict[str, set[str]] = {}
    for element in sorted(wanted):
        serving = [s for s, elements in usable if element in elements]
        if not serving:
            continue
        authority = catalog.elements[element].authority
        best = next((s for s in serving if s.provider == authority), serving[0])
        by_source.setdefault(best.code, set()).add(element)
    return Plan(
        by_source={code: frozenset(elements) for code, elements in by_source.items()},
        sources={code: catalog.sources[code] for code in by_source},
        keys=keys,
        fields=fields,
    )


def elements_view(catalog: Catalog, plan_: Plan) -> list[dict[str, Any]]:
    """What a consent names, element by element, with who is asked (for the consent screen)."""
    rows = []
    for code, elements in plan_.by_source.items():
        source = plan_.sources[code]
        department = catalog.departments[source.provider]
        for element in sorted(elements):
            meta = catalog.elements[element]
            rows.append(
                {
                    "element": element,
                    "name": meta.name.zh,
                    "name_en": meta.name.en,
                    "sensitivity": meta.sensitivity,
                    "source": code,
                    "source_name": source.name.zh,
                    "source_name_en": source.name.en,
                    "department": department.code,
                    "department_name": department.name.zh,
                    "department_name_en": department.name.en,
                }
            )
    return rows


# --- consents -----------------------------------------------------------------------------------


async def give_consent(
    db: Db,
    *,
    actor: Account,
    catalog: Catalog,
    subject: Subject,
    purpose: str,
    elements: list[str],
) -> dict[str, Any]:
    """Record a consent to fetch exactly these elements, for this subject and purpose."""
    if purpose not in PURPOSES:
        raise Invalid("unknown_purpose", details=[field_error("purpose", "unknown_purpose")])
    needed = set(plan(catalog, subject=subject, account=actor).elements)
    asked = list(dict.fromkeys(elements))
    if not asked:
        raise Invalid("consent_elements_empty", details=[field_error("elements", "field_required")])
    extra = [e for e in asked if e not in needed]
    if extra:
        raise Invalid(
            "element_not_needed",
            params={"elements": ", ".join(extra)},
            details=[field_error("elements", "element_not_needed") | {"elements": extra}],
        )
    now = dt.datetime.now(dt.UTC)
    row = {
        "id": new_id(),
        "account_id": actor.id,
        "subject_type": subject.kind,
        "subject_code": subject.code,
        "purpose": purpose,
        "elements": sorted(asked),
        "given_at": now,
        "expires_at": now + dt.timedelta(days=CONSENT_DAYS),
        "withdrawn_at": None,
    }
    await db.execute(sa.insert(consents).values(**row))
    await audit.record(
        db,
        actor=actor,
        action="consent.given",
        target_type="consent",
        target_id=row["id"],
        after={"subject": f"{subject.kind}:{subject.code}", "elements": row["elements"]},
    )
    return _consent_view(row)


async def withdraw_consent(db: Db, *, actor: Account, consent_id: str) -> dict[str, Any]:
    """撤回授权: no further fetches under it; what was submitted stays submitted."""
    row = await _mine(db, actor, consent_id)
    if row["withdrawn_at"] is None:
        row["withdrawn_at"] = dt.datetime.now(dt.UTC)
        await db.execute(
            sa.update(consents)
            .where(consents.c.id == consent_id)
            .values(withdrawn_at=row["withdrawn_at"])
        )
        await audit.record(
            db, actor=actor, action="consent.withdrawn", target_type="consent", target_id=consent_id
        )
    return _consent_view(row)


async def consents_of(db: Db, *, actor: Account) -> list[dict[str, Any]]:
    """My consents, newest first."""
    rows = await db.execute(
        sa.select(consents)
        .where(consents.c.account_id == actor.id)
        .order_by(consents.c.given_at.desc())
        .limit(200)
    )
    return [_consent_view(dict(r._mapping)) for r in rows]


async def covering_consent(
    db: Db, *, actor: Account, subject: Subject, consent_id: str | None = None
) -> dict[str, Any] | None:
    """The consent a prefill runs under: the one named, or my newest active one for the subject."""
    if consent_id is not None:
        row = await _mine(db, actor, consent_id)
        if (row["subject_type"], row["subject_code"]) != (subject.kind, subject.code):
            raise Invalid(
                "consent_mismatch", details=[field_error("consent_id", "consent_mismatch")]
            )
        return row if _active(row) else None
    rows = await db.execute(
        sa.select(consents)
        .where(
            consents.c.account_id == actor.id,
            consents.c.subject_type == subject.kind,
            consents.c.subject_code == subject.code,
            consents.c.purpose == "prefill",
            consents.c.withdrawn_at.is_(None),
        )
        .order_by(consents.c.given_at.desc())
        .limit(1)
    )
    found = rows.first()
    if found is None:
        return None
    row = dict(found._mapping)
    return row if _active(row) else None


async def _mine(db: Db, actor: Account, consent_id: str) -> dict[str, Any]:
    found = (
        await db.execute(
            sa.select(consents).where(
                consents.c.id == consent_id, consents.c.account_id == actor.id
            )
        )
    ).first()
    if found is None:
        raise NotFound()
    return dict(found._mapping)


def _active(row: dict[str, Any]) -> bool:
    expires = row["expires_at"]
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    return row["withdrawn_at"] is None and expires > dt.datetime.now(dt.UTC)


def _consent_view(row: dict[str, Any]) -> dict[str, Any]:
    def when(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()

    return {
        "id": row["id"],
        row["subject_type"]: row["subject_code"],
        "purpose": row["purpose"],
        "elements": list(row["elements"]),
        "given_at": when(row["given_at"]),
        "expires_at": when(row["expires_at"]),
        "withdrawn_at": when(row["withdrawn_at"]),
        "active": _active(row),
    }


# --- prefill -------------------------------------------------------------------------------------


class ConsentRequired(Forbidden):
    """Prefill without a consent that covers it: 403, naming the elements to consent to."""

    code = "consent_required"


async def prefill(
    engine: AsyncEngine,
    *,
    actor: Account,
    catalog: Catalog,
    subject: Subject,
    hub: exchange.Exchange,
    secret: bytes,
    consent_id: str | None = None,
    strict_audit: bool = True,
) -> dict[str, Any]:
    """The form filled from departments' systems under the person's consent.

    Nothing of the database is held while departments answer: the consent is read in a short
    transaction of its own, the sources are then asked, and the access log and the quality
    ledger are written together in one ``write_unit``. (A prefill that held its request's unit
    of work held a pooled connection for as long as its slowest department took: forty prefills
    against departments answering in a second kept every other request of the process waiting
    about two seconds for a connection.)
    """
    the_plan = plan(catalog, subject=subject, account=actor)
    async with transaction(engine, write=False) as read:
        consent = await covering_consent(read, actor=actor, subject=subject, consent_id=consent_id)
    if consent is None and the_plan.elements:
        raise ConsentRequired(
            details=[
                {
                    **row,
                    "field": "elements",
                    "code": "element_needed",
                    "params": {
                        "name": row["name"],
                        "name_en": row["name_en"],
                        "department": row["department_name"],
                        "department_en": row["department_name_en"],
                    },
                }
                for row in elements_view(catalog, the_plan)
            ]
        )
    allowed = set(consent["elements"]) if consent else set()
    asks = [
        exchange.Ask(
            source=the_plan.sources[code],
            key=next(the_plan.keys[k] for k in the_plan.sources[code].keys if k in the_plan.keys),
            elements=frozenset(elements & allowed),
        )
        for code, elements in the_plan.by_source.items()
        if elements & allowed
    ]
    answers = await exchange.fetch_all(hub, catalog, asks)
    by_element: dict[str, tuple[exchange.Fetched, Any]] = {}
    for answer in answers:
        for element, value in answer.values.items():
            by_element[element] = (answer, value)
    fields: dict[str, Any] = {}
    missing: list[dict[str, Any]] = []
    source_of = {e: code for code, elements in the_plan.by_source.items() for e in elements}
    for name, element in the_plan.fields.items():
        if element in the_plan.keys:
            fields[name] = {
                "value": the_plan.keys[element],
                "element": element,
                "source": ACCOUNT_SOURCE,
                "department": None,
                "fetched_at": None,
                "verified": True,
            }
        elif element in by_element:
            answer, value = by_element[element]
            authority = catalog.elements[element].authority
            fields[name] = {
                "value": value.value,
                "element": element,
                "source": answer.source.code,
                "department": answer.source.provider,
                "fetched_at": answer.fetched_at.isoformat(),
                "verified": authority is not None and authority == answer.source.provider,
            }
        elif element in source_of:
            missing.append(_missing(name, element, source_of[element], answers, allowed))
    for entry in fields.values():
        _describe(catalog, entry)
    for entry in missing:
        _describe(catalog, entry)
    accesses = [
        {
            "subject_id": actor.id,
            "accessor_kind": "platform",
            "department_code": answer.source.provider,
            "source": answer.source.code,
            "elements": list(answer.values),
            "purpose": "prefill",
            "target_type": "consent",
            "target_id": consent["id"] if consent else None,
            "target_label": f"{subject.kind}:{subject.code}",
        }
        for answer in answers
        if answer.values
    ]

    async def record(db: Db) -> None:
        await exchange.log_accesses(db, accesses)
        await exchange.record_reads(db, answers)

    if answers:  # (no source asked: nothing to log)
        await write_unit(engine, record, strict_audit=strict_audit)
    token = sign_token(
        secret,
        account_id=actor.id,
        subject=subject,
        consent_id=consent["id"] if consent else None,
        fields=fields,
    )
    return {
        subject.kind: subject.code,
        "consent_id": consent["id"] if consent else None,
        "fields": fields,
        "missing": missing,
        "sources": [
            {
                "code": a.source.code,
                "name": a.source.name.zh,
                "name_en": a.source.name.en,
                "status": a.status,
                "elapsed_ms": a.elapsed_ms,
            }
            for a in answers
        ],
        "prefill_token": token,
    }


def _missing(
    name: str, element: str, source: str, answers: list[exchange.Fetched], allowed: set[str]
) -> dict[str, Any]:
    reason = "not_consented"
    if element in allowed:
        answer = next((a for a in answers if a.source.code == source), None)
        if answer is None or answer.status == "ok":
            reason = "rejected" if answer and element in answer.rejected_elements else "no_value"
        else:
            reason = "source_" + answer.status
    return {"field": name, "element": element, "source": source, "reason": reason}


def _describe(catalog: Catalog, entry: dict[str, Any]) -> None:
    """Add the names a page shows: the source's and its department's, in both languages."""
    source = catalog.sources.get(entry.get("source") or "")
    if source is not None:
        department = catalog.departments[source.provider]
        entry.update(
            source_name=source.name.zh,
            source_name_en=source.name.en,
            department=department.code,
            department_name=department.name.zh,
            department_name_en=department.name.en,
        )


# --- provenance ---------------------------------------------------------------------------------


def _digest(secret: bytes, name: str, value: Any) -> str:
    blob = json.dumps([name, value], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret, blob.encode(), hashlib.sha256).hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(
    secret: bytes,
    *,
    account_id: str,
    subject: Subject,
    consent_id: str | None,
    fields: dict[str, Any],
) -> str:
    """A token naming each prefilled value's provenance, with the value only as a keyed digest."""
    payload = {
        "a": account_id,
        "s": f"{subject.kind}:{subject.code}",
        "c": consent_id,
        "t": int(dt.datetime.now(dt.UTC).timestamp()),
        "f": {
            name: [
                entry["element"],
                entry["source"],
                entry["fetched_at"],
                entry["verified"],
                _digest(secret, name, entry["value"]),
            ]
            for name, entry in fields.items()
        },
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def provenance(
    secret: bytes,
    *,
    token: str | None,
    account_id: str,
    subject: Subject,
    answers: dict[str, Any],
) -> tuple[dict[str, Any], str | None]:
    """Where each answer of a submitted form came from, and the consent it was fetched under.

    ``prefilled``: as a department's system gave it · ``changed``: prefilled, then corrected by
    the person · ``entered``: typed by the person. A token that is forged, someone else's, for
    another form or too old is refused.
    """
    prefilled: dict[str, list[Any]] = {}
    consent_id = None
    if token:
        payload = _verify(secret, token)
        issued = dt.datetime.fromtimestamp(int(payload.get("t", 0)), dt.UTC)
        if (
            payload.get("a") != account_id
            or payload.get("s") != f"{subject.kind}:{subject.code}"
            or dt.datetime.now(dt.UTC) - issued > dt.timedelta(hours=TOKEN_HOURS)
        ):
            raise _refused()
        prefilled = payload.get("f") or {}
        consent_id = payload.get("c")
    result: dict[str, Any] = {}
    for name, value in answers.items():
        entry = prefilled.get(name)
        if entry is None:
            result[name] = {"origin": "entered"}
            continue
        element, source, fetched_at, verified, digest = entry
        same = hmac.compare_digest(digest, _digest(secret, name, value))
        result[name] = {
            "origin": "prefilled" if same else "changed",
            "element": element,
            "source": source,
            "fetched_at": fetched_at,
            "verified": bool(verified) and same,
        }
    return result, consent_id


def _refused() -> Invalid:
    return Invalid(
        "invalid_prefill_token", details=[field_error("prefill_token", "invalid_prefill_token")]
    )


def _verify(secret: bytes, token: str) -> dict[str, Any]:
    refused = _refused()
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise refused
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise refused from exc
    if not isinstance(payload, dict):
        raise refused
    return payload
