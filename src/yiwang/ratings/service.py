"""好差评: the applicant rates a finished application (GB/T 39046 codes); a bad rating opens a
rectification case for each department that handled it — a call-back within a working day,
rectification within fifteen — whose outcome the rater sees. A rating found malicious on appeal
is set aside, with the reason kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from yiwang.audit import service as audit
from yiwang.catalog.definitions import DefinitionError, Text
from yiwang.database import Db, tx_state
from yiwang.errors import Conflict, Invalid, NotFound, field_error
from yiwang.identity import repository as identity_repo
from yiwang.kit.ids import new_id
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.notifications import service as notifications
from yiwang.ratings.models import ratings, rectifications

CHINA = dt.timezone(dt.timedelta(hours=8))
FINISHED = ("approved", "rejected")
HANDLER_ROLES = ("supervisor", "approver")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Satisfaction(_Strict):
    """One GB/T 39046 satisfaction code."""

    code: int = Field(ge=1, le=5)
    name: Text
    good: bool


class Channel(_Strict):
    """Where the rating was given."""

    code: str
    name: Text


class Rectification(_Strict):
    """How long a department has to call back and to rectify."""

    callback_workdays: int = Field(ge=1)
    rectify_workdays: int = Field(ge=1)


class RatingDefinitions(_Strict):
    """definitions/ratings.yaml."""

    version: int
    satisfaction: list[Satisfaction] = Field(min_length=5, max_length=5)
    channels: list[Channel] = Field(min_length=1)
    rectification: Rectification


@functools.lru_cache(maxsize=8)
def load(directory: Path) -> RatingDefinitions:
    """Read and validate definitions/ratings.yaml."""
    path = directory / "ratings.yaml"
    try:
        return RatingDefinitions.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise DefinitionError(f"{path}: {exc}") from exc


@dataclasses.dataclass(frozen=True)
class Rated:
    """What a rating is about, as the applications domain knows it."""

    application_id: str
    applicant_id: str
    status: str
    tracking_no: str
    departments: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


async def rate(
    db: Db,
    *,
    definitions: RatingDefinitions,
    calendar: WorkdayCalendar,
    actor: Any,
    subject: Rated,
    satisfaction_code: int,
    channel: str,
    comment: str,
) -> dict[str, Any]:
    """一事一评 (and one 追评): rate a finished application; 4 or 5 opens rectifications."""
    if subject.applicant_id != actor.id:
        raise NotFound()
    if subject.status not in FINISHED:
        raise Conflict("rating_not_yet")
    codes = {s.code: s for s in definitions.satisfaction}
    errors = []
    if satisfaction_code not in codes:
        errors.append(field_error("satisfaction_code", "invalid_satisfaction_code"))
    if channel not in {c.code for c in definitions.channels}:
        errors.append(field_error("channel", "invalid_channel"))
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    earlier = (
        await db.execute(
            sa.select(sa.func.count()).where(ratings.c.application_id == subject.application_id)
        )
    ).scalar_one()
    if earlier >= 2:
        raise Conflict("rating_limit")
    now = _now()
    row = {
        "id": new_id(),
        "application_id": subject.application_id,
        "account_id": actor.id,
        "satisfaction_code": satisfaction_code,
        "channel": channel,
        "comment": comment.strip()[:1000] or None,
        "follow_up": earlier == 1,
        "created_at": now,
    }
    writes_before = tx_state(db).writes
    try:
        async with db.begin_nested():
            await db.execute(sa.insert(ratings).values(**row))
    except IntegrityError as exc:  # two at once: one of them was the last allowed
        tx_state(db).writes = writes_before
        raise Conflict("rating_limit") from exc
    if not codes[satisfaction_code].good:
        today = _today()
        rule = definitions.rectification
        for department in subject.departments:
            case_id = new_id()
            await db.execute(
                sa.insert(rectifications).values(
                    id=case_id,
                    rating_id=row["id"],
                    application_id=subject.application_id,
                    department_code=department,
                    status="open",
                    callback_due=calendar.add_workdays(today, rule.callback_workdays),
                    rectify_due=calendar.add_workdays(today, rule.rectify_workdays),
                    created_at=now,
                )
            )
            for officer in await identity_repo.officers(
                db, department_code=department, role="supervisor"
            ):
                await notifications.notify(
                    db,
                    account_id=officer,
                    kind="bad_rating",
                    params={"tracking_no": subject.tracking_no, "code": satisfaction_code},
                    application_id=subject.application_id,
                )
    await audit.record(
        db,
        actor=actor,
        action="rating.given",
        target_type="application",
        target_id=subject.application_id,
        after={"satisfaction_code": satisfaction_code, "follow_up": row["follow_up"]},
    )
    return (
        await of_application(db, definitions=definitions, application_id=subject.application_id)
    )[-1]


async def of_application(
    db: Db, *, definitions: RatingDefinitions, application_id: str
) -> list[dict[str, Any]]:
    """An application's ratings, oldest first, each with its rectification cases."""
    rows = (
        await db.execute(
            sa.select(ratings)
            .where(ratings.c.application_id == application_id)
            .order_by(ratings.c.created_at)
        )
    ).all()
    cases = (
        await db.execute(
            sa.select(rectifications)
            .where(rectifications.c.application_id == application_id)
            .order_by(rectifications.c.created_at)
        )
    ).all()
    names = {s.code: s for s in definitions.satisfaction}
    return [
        {
            "id": r.id,
            "application_id": r.application_id,
            "satisfaction_code": r.satisfaction_code,
            "satisfaction_name": names[r.satisfaction_code].name.zh,
            "satisfaction_name_en": names[r.satisfaction_code].name.en,
            "channel": r.channel,
            "comment": r.comment,
            "follow_up": r.follow_up,
            "created_at": _iso(r.created_at),
            "set_aside": r.set_aside_at is not None,
            "set_aside_reason": r.set_aside_reason,
            "rectifications": [case_view(c) for c in cases if c.rating_id == r.id],
        }
        for r in rows
    ]


def case_view(row: Any) -> dict[str, Any]:
    """A rectification case as the rater and the department see it."""
    return {
        "id": row.id,
        "rating_id": row.rating_id,
        "application_id": row.application_id,
        "department": row.department_code,
        "status": row.status,
        "callback_due": _iso(row.callback_due),
        "rectify_due": _iso(row.rectify_due),
        "called_back_at": _iso(row.called_back_at),
        "callback_note": row.callback_note,
        "rectified_at": _iso(row.rectified_at),
        "outcome": row.outcome,
        "appeal_reason": row.appeal_reason,
        "appeal_decision": row.appeal_decision,
        "appeal_decision_reason": row.appeal_decision_reason,
        "overdue": row.status in ("open", "called_back")
        and (row.rectify_due < _today() or (row.status == "open" and row.callback_due < _today())),
    }


async def _case(db: Db, case_id: str, actor: Any, *, roles: tuple[str, ...]) -> Any:
    found = (
        await db.execute(sa.select(rectifications).where(rectifications.c.id == case_id))
    ).first()
    if (
        found is None
        or getattr(actor, "kind", None) != "staff"
        or actor.department_code != found.department_code
        or not set(roles) & set(actor.roles)
    ):
        raise NotFound()
    return found


async def department_cases(db: Db, *, actor: Any) -> list[dict[str, Any]]:
    """My department's rectification cases, the soonest due first."""
    if getattr(actor, "kind", None) != "staff" or not set(HANDLER_ROLES) & set(actor.roles):
        raise NotFound()
    rows = await db.execute(
        sa.select(rectifications)
        .where(rectifications.c.department_code == actor.department_code)
        .order_by(rectifications.c.status != "open", rectifications.c.rectify_due)
        .limit(500)
    )
    return [case_view(r) for r in rows]


async def pending_appeals(db: Db, *, actor: Any) -> list[dict[str, Any]]:
    """Appeals waiting for an administrator's review, the oldest first."""
    if getattr(actor, "kind", None) != "admin":
        raise NotFound()
    rows = await db.execute(
        sa.select(rectifications)
        .where(
            rectifications.c.appealed_at.is_not(None), rectifications.c.appeal_decision.is_(None)
        )
        .order_by(rectifications.c.appealed_at)
        .limit(500)
    )
    return [case_view(r) for r in rows]


async def call_back(db: Db, *, actor: Any, case_id: str, note: str) -> dict[str, Any]:
    """回访: the department has called the rater; what they heard."""
    case = await _case(db, case_id, actor, roles=HANDLER_ROLES)
    if case.status != "open":
        raise Conflict("rectification_not_open")
    if len(note.strip()) < 2:
        raise Invalid("note_required", details=[field_error("note", "field_required")])
    await _set(db, case_id, status="called_back", called_back_at=_now(), callback_note=note.strip())
    await audit.record(
        db,
        actor=actor,
        action="rectification.called_back",
        target_type="rectification",
        target_id=case_id,
    )
    return case_view(await _case(db, case_id, actor, roles=HANDLER_ROLES))


async def rectify(db: Db, *, actor: Any, case_id: str, outcome: str) -> dict[str, Any]:
    """整改: what was put right; the rater sees it."""
    case = await _case(db, case_id, actor, roles=HANDLER_ROLES)
    if case.status not in ("open", "called_back"):
        raise Conflict("rectification_not_open")
    if len(outcome.strip()) < 5:
        raise Invalid("outcome_required", details=[field_error("outcome", "outcome_required")])
    now = _now()
    await _set(
        db,
        case_id,
        status="rectified",
        rectified_at=now,
        outcome=outcome.strip(),
        called_back_at=case.called_back_at or now,
    )
    rater = (
        await db.execute(sa.select(ratings.c.account_id).where(ratings.c.id == case.rating_id))
    ).scalar_one()
    await notifications.notify(
        db,
        account_id=rater,
        kind="rectified",
        params={"department": case.department_code},
        application_id=case.application_id,
    )
    await audit.record(
        db,
        actor=actor,
        action="rectification.rectified",
        target_type="rectification",
        target_id=case_id,
    )
    return case_view(await _case(db, case_id, actor, roles=HANDLER_ROLES))


async def appeal(db: Db, *, actor: Any, case_id: str, reason: str) -> dict[str, Any]:
    """申诉: the department holds the rating malicious; an administrator decides."""
    case = await _case(db, case_id, actor, roles=("supervisor",))
    if case.status in ("rectified", "set_aside") or case.appealed_at is not None:
        raise Conflict("rectification_not_open")
    if len(reason.strip()) < 5:
        raise Invalid(
            "appeal_reason_required", details=[field_error("reason", "appeal_reason_required")]
        )
    await _set(db, case_id, appeal_reason=reason.strip(), appealed_at=_now())
    await audit.record(
        db,
        actor=actor,
        action="rectification.appealed",
        target_type="rectification",
        target_id=case_id,
    )
    return case_view(await _case(db, case_id, actor, roles=("supervisor",)))


async def decide_appeal(
    db: Db, *, actor: Any, case_id: str, set_aside: bool, reason: str
) -> dict[str, Any]:
    """An administrator's review of an appeal: set the rating aside (reason kept) or uphold it."""
    if getattr(actor, "kind", None) != "admin":
        raise NotFound()
    case = (
        await db.execute(sa.select(rectifications).where(rectifications.c.id == case_id))
    ).first()
    if case is None:
        raise NotFound()
    if case.appealed_at is None or case.appeal_decision is not None:
        raise Conflict("no_appeal_pending")
    if len(reason.strip()) < 5:
        raise Invalid(
            "appeal_reason_required", details=[field_error("reason", "appeal_reason_required")]
        )
    now = _now()
    decision = "set_aside" if set_aside else "upheld"
    await _set(
        db,
        case_id,
        appeal_decision=decision,
        appeal_decision_reason=reason.strip(),
        appeal_decided_at=now,
        **({"status": "set_aside"} if set_aside else {}),
    )
    if set_aside:
        await db.execute(
            sa.update(ratings)
            .where(ratings.c.id == case.rating_id)
            .values(set_aside_at=now, set_aside_reason=reason.strip())
        )
        await db.execute(
            sa.update(rectifications)
            .where(
                rectifications.c.rating_id == case.rating_id, rectifications.c.status != "rectified"
            )
            .values(status="set_aside")
        )
    await audit.record(
        db,
        actor=actor,
        action="rectification.appeal_decided",
        target_type="rectification",
        target_id=case_id,
        after={"decision": decision, "reason": reason.strip()},
    )
    row = (
        await db.execute(sa.select(rectifications).where(rectifications.c.id == case_id))
    ).first()
    return case_view(row)


async def _set(db: Db, case_id: str, **values: Any) -> None:
    await db.execute(
        sa.update(rectifications).where(rectifications.c.id == case_id).values(**values)
    )


async def check_deadlines(db: Db) -> int:
    """督办: rectification cases past their call-back or rectification deadline, once each."""
    today = _today()
    rows = await db.execute(
        sa.select(rectifications).where(
            rectifications.c.escalated_at.is_(None),
            sa.or_(
                sa.and_(rectifications.c.status == "open", rectifications.c.callback_due < today),
                sa.and_(
                    rectifications.c.status.in_(("open", "called_back")),
                    rectifications.c.rectify_due < today,
                ),
            ),
        )
    )
    count = 0
    for row in rows:
        await _set(db, row.id, escalated_at=_now())
        for officer in await identity_repo.officers(
            db, department_code=row.department_code, role="supervisor"
        ):
            await notifications.notify(
                db,
                account_id=officer,
                kind="rectification_overdue",
                params={"case": row.id[:8]},
                application_id=row.application_id,
            )
        count += 1
    if count:
        await audit.record(db, actor=None, action="rectification.escalated", after={"cases": count})
    return count


async def summary(
    db: Db, *, since: dt.datetime, until: dt.datetime, finished: int, department: str | None = None
) -> dict[str, Any]:
    """主动评价率, 好评率, 差评率, 差评回访率 and 整改率 over ratings given in [since, until).

    ``finished``: how many applications finished in the period (the denominator of the active
    rating rate). Ratings set aside on appeal are not counted.
    """
    query = sa.select(ratings).where(
        ratings.c.created_at >= since,
        ratings.c.created_at < until,
        ratings.c.follow_up.is_(False),
        ratings.c.set_aside_at.is_(None),
    )
    rows = (await db.execute(query)).all()
    cases_query = sa.select(rectifications).where(
        rectifications.c.created_at >= since,
        rectifications.c.created_at < until,
        rectifications.c.status != "set_aside",
    )
    if department:
        cases_query = cases_query.where(rectifications.c.department_code == department)
    cases = (await db.execute(cases_query)).all()
    good = sum(1 for r in rows if r.satisfaction_code <= 3)
    bad = len(rows) - good

    def on_time(moment: Any, due: dt.date) -> bool:
        if moment is None:
            return False
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(CHINA).date() <= due

    called = sum(1 for c in cases if on_time(c.called_back_at, c.callback_due))
    rectified = sum(1 for c in cases if on_time(c.rectified_at, c.rectify_due))

    def rate(part: int, whole: int) -> float | None:
        return None if whole == 0 else round(part / whole, 4)

    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "finished_applications": finished,
        "ratings": len(rows),
        "good": good,
        "bad": bad,
        "rectification_cases": len(cases),
        "called_back_on_time": called,
        "rectified_on_time": rectified,
        "active_rating_rate": rate(len(rows), finished),
        "good_rate": rate(good, len(rows)),
        "bad_rate": rate(bad, len(rows)),
        "bad_callback_rate": rate(called, len(cases)),
        "rectification_rate": rate(rectified, len(cases)),
    }
