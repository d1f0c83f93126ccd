"""接诉即办: a ticket's life — received, routed (rules, model, or a dispatcher), linked to an
open duplicate, signed for, answered, followed up by a call-back — with its deadlines."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import math
import time
import weakref
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import rawdb
from yiwang.audit import service as audit
from yiwang.complaints import routing, training
from yiwang.complaints.definitions import HotlineDefinitions
from yiwang.complaints.models import (
    routing_corrections,
    routing_models,
    ticket_counters,
    ticket_events,
    ticket_photos,
    tickets,
)
from yiwang.database import Db, transaction, tx_state, write_unit
from yiwang.errors import Conflict, Invalid, NotFound, Unavailable, field_error
from yiwang.identity import repository as identity_repo
from yiwang.kit.ids import new_id
from yiwang.kit.text import clean_text
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.notifications import service as notifications

CHINA = dt.timezone(dt.timedelta(hours=8))
OPEN = ("dispatching", "assigned", "in_progress", "replied")
HANDLER_ROLE = "hotline_handler"
DISPATCHER_ROLE = "dispatcher"
SUPERVISOR_ROLE = "supervisor"
CENTRE = "hotline"
MODEL_RECHECK_SECONDS = 5.0
METRES_PER_DEGREE = 111_195  # of latitude, on the mean Earth radius _distance_m uses

# The statements a ticket's intake runs, built once: their cache keys are computed once, not
# per ticket (building and keying a statement costs more than running it on SQLite).
_INSERT_TICKET = sa.insert(tickets)
_INSERT_EVENT = sa.insert(ticket_events)
_TICKET = sa.select(tickets).where(tickets.c.id == sa.bindparam("ticket_id"))
_TICKET_FOR_UPDATE = _TICKET.with_for_update()
_BY_KEY = sa.select(tickets.c.id).where(
    tickets.c.reporter_id == sa.bindparam("reporter_id"),
    tickets.c.idempotency_key == sa.bindparam("key"),
)
_NEAR = sa.and_(
    tickets.c.lat.between(sa.bindparam("lat_lo"), sa.bindparam("lat_hi")),
    tickets.c.lon.between(sa.bindparam("lon_lo"), sa.bindparam("lon_hi")),
)
_ADDRESS_ONLY = sa.and_(tickets.c.lat.is_(None), tickets.c.address.is_not(None))


def _open_here(place: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The open tickets of a category within the window that may be at the place, oldest
    first."""
    return (
        sa.select(tickets)
        .where(
            tickets.c.category == sa.bindparam("category"),
            tickets.c.status.in_(OPEN),
            tickets.c.duplicate_of.is_(None),
            tickets.c.created_at >= sa.bindparam("since"),
            place,
        )
        .order_by(tickets.c.created_at)
        .limit(200)
    )


# By (has coordinates, has an address): near the coordinates (a box around the radius) or,
# where either ticket has none, one whose address the caller compares.
_OPEN_HERE = {
    (True, True): _open_here(sa.or_(_NEAR, _ADDRESS_ONLY)),
    (True, False): _open_here(_NEAR),
    (False, True): _open_here(tickets.c.address.is_not(None)),
}
_TIMELINE = (
    sa.select(ticket_events)
    .where(ticket_events.c.ticket_id == sa.bindparam("ticket_id"))
    .order_by(ticket_events.c.id)
)
_PHOTOS = (
    sa.select(ticket_photos.c.position, ticket_photos.c.content_type, ticket_photos.c.size)
    .where(ticket_photos.c.ticket_id == sa.bindparam("ticket_id"))
    .order_by(ticket_photos.c.position)
)
_TICKET_NO = sa.select(tickets.c.ticket_no).where(tickets.c.id == sa.bindparam("ticket_id"))
_CATEGORY_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))


@functools.cache
def _count_ticket(dialect: str) -> sa.Insert:
    """The day's counter, taken: one upsert, built once per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(ticket_counters)
        .values(day=sa.bindparam("day"), last=1)
        .on_conflict_do_update(
            index_elements=[ticket_counters.c.day], set_={"last": ticket_counters.c.last + 1}
        )
        .returning(ticket_counters.c.last)
    )


@dataclasses.dataclass(frozen=True)
class Hotline:
    """What the hotline runs on: its definitions (and their folder) and the working days."""

    definitions: HotlineDefinitions
    calendar: WorkdayCalendar
    directory: Path

    @functools.cached_property
    def rules(self) -> list[routing.Rule]:
        """The dispatch office's rules, read once."""
        return routing.rules_from(self.definitions.model_dump())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- the routing model, cached per engine ------------------------------------------------------


class _ModelCache:
    def __init__(self) -> None:
        self.model_id: int | None = None
        self.model: routing.Model | None = None
        self.shipped: routing.Model | None = None  # while no model is stored
        self.checked_at = 0.0


_models: weakref.WeakKeyDictionary[AsyncEngine, _ModelCache] = weakref.WeakKeyDictionary()


async def current_model(db: Db, hotline: Hotline) -> routing.Model:
    """The newest retrained model (servers pick one up within seconds), or else the model of
    the shipped dispatch history, trained once per process off the event loop."""
    stored = await _stored_model(db)
    if stored is not None:
        return stored
    shipped = await asyncio.to_thread(training.shipped, hotline.directory)
    _models[db.engine].shipped = shipped
    return shipped


async def routing_model(engine: AsyncEngine, hotline: Hotline) -> routing.Model:
    """``current_model`` ahead of a ticket's transaction: the model last found, while it was
    found less than MODEL_RECHECK_SECONDS ago, else a short read of its own."""
    cache = _models.get(engine)
    if cache is not None and time.monotonic() - cache.checked_at <= MODEL_RECHECK_SECONDS:
        found = cache.model or cache.shipped
        if found is not None:
            return found
    async with transaction(engine, write=False) as db:
        return await current_model(db, hotline)


async def warm_up(engine: AsyncEngine, hotline: Hotline) -> None:
    """At start-up: have a model ready before the first ticket arrives."""
    async with transaction(engine, write=False) as db:
        await current_model(db, hotline)


async def has_stored_model(db: Db) -> bool:
    """Whether `yiwang complaints retrain` has stored a model."""
    return (await db.execute(sa.select(routing_models.c.id).limit(1))).first() is not None


async def _stored_model(db: Db) -> routing.Model | None:
    cache = _models.setdefault(db.engine, _ModelCache())
    now = time.monotonic()
    if now - cache.checked_at > MODEL_RECHECK_SECONDS or cache.model is None:
        latest = (await db.execute(sa.select(sa.func.max(routing_models.c.id)))).scalar()
        cache.checked_at = now
        if latest is not None and latest != cache.model_id:
            blob = (
                await db.execute(
                    sa.select(routing_models.c.model).where(routing_models.c.id == latest)
                )
            ).scalar_one()
            cache.model, cache.model_id = routing.Model.from_json(blob), latest
    return cache.model


def forget_model(engine: AsyncEngine) -> None:
    """Drop the cached model (tests, after a retrain in the same process)."""
    _models.pop(engine, None)


async def retrain(db: Db, *, hotline: Hotline) -> dict[str, Any]:
    """`yiwang complaints retrain`: learn from the history and every re-routing so far, and
    keep the model; every server switches to it."""
    learned = await asyncio.to_thread(training.train_with, hotline.directory, await corrections(db))
    result = await db.execute(
        sa.insert(routing_models)
        .values(
            trained_at=_now(),
            examples=learned.examples,
            corrections=learned.corrections,
            heldout_accuracy=learned.heldout_accuracy,
            model=learned.model.to_json(),
        )
        .returning(routing_models.c.id)
    )
    model_id = int(result.scalar_one())
    summary_ = {
        "model_id": model_id,
        "examples": learned.examples,
        "corrections": learned.corrections,
        "heldout_accuracy": round(learned.heldout_accuracy, 4),
    }
    await audit.record(
        db,
        actor=None,
        action="complaints.model_trained",
        target_type="routing_model",
        target_id=str(model_id),
        after=summary_,
    )
    return summary_


async def corrections(db: Db) -> list[routing.Example]:
    """The dispatch centre's re-routings, oldest first: what retraining learns from."""
    rows = await db.execute(
        sa.select(routing_corrections.c.text, routing_corrections.c.category).order_by(
            routing_corrections.c.id
        )
    )
    return [routing.Example(text=r.text, category=r.category) for r in rows]


# --- deadlines ---------------------------------------------------------------------------------


def deadlines(
    hotline: Hotline, *, deadline_class: str, start: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """(sign-for deadline, answer deadline) of a ticket dispatched at ``start``: hours on the
    clock for emergencies and utilities, working days (to the end of the day) otherwise."""
    rule = hotline.definitions.deadlines[deadline_class]  # type: ignore[index]
    sign_due = start + dt.timedelta(minutes=rule.sign_for_minutes)
    if rule.answer_hours is not None:
        return sign_due, start + dt.timedelta(hours=rule.answer_hours)
    local_day = start.astimezone(CHINA).date()
    last_day = hotline.calendar.add_workdays(local_day, rule.answer_workdays or 0)
    end = dt.datetime.combine(last_day, dt.time(23, 59, 59), CHINA)
    return sign_due, end.astimezone(dt.UTC)


# --- receiving -----------------------------------------------------------------------------------


async def _next_ticket_no(db: Db, day: dt.date) -> str:
    """The day's next ticket number (12345, the date, five digits).

    On PostgreSQL the counter is taken in a statement of its own, on the raw driver, and
    committed at once (``PostgresDatabase.take``). Taken in the ticket's transaction, the day's
    counter row would stay locked until that one commits, and every other ticket of the day
    would wait for it: intake one at a time, in a surge. A ticket whose transaction then fails
    (a client gone, a database error) leaves its number unused: numbers may have gaps there.
    On SQLite the writer thread runs one transaction at a time anyway: the counter is taken in
    the ticket's transaction, and numbers have no gaps."""
    key = day.strftime("%Y%m%d")
    if db.dialect.name == "postgresql":
        raw = rawdb.beside(db.engine)
        assert isinstance(raw, rawdb.PostgresDatabase)
        take = raw.query("complaints.ticket_no", lambda: _count_ticket("postgresql"))
        try:
            last = (await raw.take(take, day=key))[0]["last"]
        except TimeoutError as exc:
            raise Unavailable("service_unavailable", headers={"Retry-After": "1"}) from exc
    else:
        last = (await db.execute(_count_ticket(db.dialect.name), {"day": key})).scalar_one()
    return f"12345{key}{int(last):05d}"


async def _one_category_at_a_time(db: Db, category: str) -> bool:
    """On PostgreSQL, wait for the tickets of the same category being received right now, until
    their transactions end, and return True: twelve people who report the same burst main in
    the same second would otherwise not see each other's tickets, and none would be linked.
    Other categories go on in parallel. (On SQLite writers take turns already: False.)"""
    if db.dialect.name != "postgresql":
        return False
    digest = hashlib.blake2b(f"yiwang.tickets/{category}".encode(), digest_size=8).digest()
    await db.execute(_CATEGORY_LOCK, {"key": int.from_bytes(digest, "big", signed=True)})
    return True


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _place(address: str | None) -> str:
    return "".join(clean_text(address or "").split())


async def _open_duplicate(
    db: Db,
    hotline: Hotline,
    *,
    category: str,
    address: str | None,
    lat: float | None,
    lon: float | None,
    now: dt.datetime,
) -> Any:
    """An open ticket about the same kind of problem at the same place, within the window."""
    rule = hotline.definitions.duplicates
    place = _place(address)
    near = lat is not None and lon is not None
    if not (near or place):
        return None  # nowhere to compare
    values: dict[str, Any] = {
        "category": category,
        "since": now - dt.timedelta(hours=rule.window_hours),
    }
    if lat is not None and lon is not None:
        # A box a little wider than the radius; the distance below decides.
        dlat = 1.01 * rule.radius_m / METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        values |= {
            "lat_lo": lat - dlat,
            "lat_hi": lat + dlat,
            "lon_lo": lon - dlon,
            "lon_hi": lon + dlon,
        }
    rows = await db.execute(_OPEN_HERE[near, bool(place)], values)
    for row in rows:
        if lat is not None and lon is not None and row.lat is not None and row.lon is not None:
            if _distance_m((lat, lon), (row.lat, row.lon)) <= rule.radius_m:
                return row
        elif place and place == _place(row.address):
            return row
    return None


def _validate(
    hotline: Hotline,
    *,
    kind: str,
    text: str,
    address: str | None,
    lat: float | None,
    lon: float | None,
    category: str | None,
) -> list[dict[str, Any]]:
    errors = []
    if kind not in {k.code for k in hotline.definitions.kinds}:
        errors.append(field_error("kind", "unknown_kind"))
    if len(text.strip()) < 5:
        errors.append(field_error("text", "complaint_text_too_short"))
    if (lat is None) != (lon is None):
        errors.append(field_error("location", "location_incomplete"))
    if lat is not None and not (-90 <= lat <= 90):
        errors.append(field_error("location.lat", "invalid_coordinates"))
    if lon is not None and not (-180 <= lon <= 180):
        errors.append(field_error("location.lon", "invalid_coordinates"))
    if category is not None and category not in hotline.definitions.categories:
        errors.append(field_error("category", "unknown_category"))
    if address is not None and len(address) > 200:
        errors.append(field_error("location.address", "too_long"))
    return errors


@dataclasses.dataclass(frozen=True)
class Intake:
    """A ticket as received, its fields checked and its text routed: everything about it that
    needs no database, settled before its transaction begins."""

    kind: str
    text: str
    address: str | None
    lat: float | None
    lon: float | None
    routed: routing.Routing


def intake(
    hotline: Hotline,
    *,
    model: routing.Model | None,
    kind: str,
    text: str,
    address: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    category: str | None = None,
) -> Intake:
    """受理前: check a ticket's fields (``Invalid``, field by field) and route it — by the
    category the reporter chose (Open311), else by the rules or ``model``."""
    text = " ".join(text.split()) if text else ""
    address = " ".join(address.split()) if address else None
    errors = _validate(
        hotline, kind=kind, text=text, address=address, lat=lat, lon=lon, category=category
    )
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    if category is not None:  # the reporter chose (Open311); the emergency rules still apply
        normalised = routing.normalise(text)
        emergency = any(r.emergency and r.matches(normalised) for r in hotline.rules)
        routed = routing.Routing(
            category=category, confidence=1.0, by="reporter", emergency=emergency, alternatives=[]
        )
    else:
        routed = routing.route(
            text,
            model=model,
            rules=hotline.rules,
            min_confidence=hotline.definitions.routing.min_confidence,
        )
    return Intake(kind=kind, text=text, address=address, lat=lat, lon=lon, routed=routed)


async def submit(
    engine: AsyncEngine,
    *,
    hotline: Hotline,
    strict_audit: bool,
    actor: Any | None,
    channel: str,
    kind: str,
    text: str,
    address: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    category: str | None = None,
    media_urls: list[str] | None = None,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    reporter_email: str | None = None,
    idempotency_key: str | None = None,
    photos: list[bytes] | None = None,
) -> tuple[dict[str, Any], bool]:
    """File a ticket (the API, the web form, Open311): ``intake`` before any transaction, then
    ``receive`` and its photos in one ``write_unit`` (on SQLite on the writer thread, taking
    its turn with submissions; a photo refused there leaves no ticket behind). Returns the
    ticket and whether it was created now (False: a replay of the same key)."""
    model = await routing_model(engine, hotline) if category is None else None
    checked = intake(
        hotline,
        model=model,
        kind=kind,
        text=text,
        address=address,
        lat=lat,
        lon=lon,
        category=category,
    )

    async def store(db: Db) -> tuple[dict[str, Any], bool]:
        ticket, created = await receive(
            db,
            hotline=hotline,
            checked=checked,
            actor=actor,
            channel=channel,
            media_urls=media_urls,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            reporter_email=reporter_email,
            idempotency_key=idempotency_key,
        )
        if photos and created:
            ticket = await add_photos(
                db, hotline=hotline, actor=actor, ticket_id=ticket["id"], photos=photos
            )
        return ticket, created

    return await write_unit(engine, store, strict_audit=strict_audit)


async def _by_key(db: Db, reporter_id: str, idempotency_key: str) -> str | None:
    found = await db.execute(_BY_KEY, {"reporter_id": reporter_id, "key": idempotency_key})
    return found.scalar()


async def receive(
    db: Db,
    *,
    hotline: Hotline,
    checked: Intake,
    actor: Any | None,
    channel: str,
    media_urls: list[str] | None = None,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    reporter_email: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """受理: store a ticket ``intake`` checked and routed, dispatched at once where the rules
    or the model were sure, else queued for the dispatch centre; linked to an open ticket about
    the same problem at the same place. Statements only, so that it can run in ``write_unit``.
    Returns the ticket and whether it was created now (False: a replay of the same key)."""
    reporter_id = getattr(actor, "id", None)
    routed = checked.routed
    key = idempotency_key if reporter_id else None
    earlier = await _by_key(db, reporter_id, key) if key else None
    if earlier is None and routed.category is not None:
        waited = await _one_category_at_a_time(db, routed.category)
        if waited and key:  # the same key sent twice at once: this copy waited for the first
            earlier = await _by_key(db, reporter_id, key)
    if earlier is not None:
        return await view(db, hotline=hotline, ticket_id=earlier, actor=actor), False
    now = _now()  # (after any wait: the ticket's times and number follow the order of arrival)
    ticket_id = new_id()
    row: dict[str, Any] = {
        "id": ticket_id,
        "kind": checked.kind,
        "text": checked.text,
        "address": checked.address,
        "lat": checked.lat,
        "lon": checked.lon,
        "channel": channel,
        "reporter_id": reporter_id,
        "reporter_name": reporter_name or getattr(actor, "name", None),
        "reporter_phone": reporter_phone or getattr(actor, "phone", None),
        "reporter_email": reporter_email,
        "media_urls": list(media_urls or []),
        "suggestions": [[c, round(p, 4)] for c, p in routed.alternatives],
        "confidence": routed.confidence,
        "emergency": routed.emergency,
        "status": "dispatching",
        "idempotency_key": key,
        "created_at": now,
        "updated_at": now,
    }
    parent = None
    if routed.category is not None:
        parent = await _open_duplicate(
            db,
            hotline,
            category=routed.category,
            address=checked.address,
            lat=checked.lat,
            lon=checked.lon,
            now=now,
        )
    # Linked or dispatched as it is stored: one row written once.
    if parent is not None:
        row |= {
            "status": "linked",
            "duplicate_of": parent.id,
            "category": parent.category,
            "department_code": parent.department_code,
            "deadline_class": parent.deadline_class,
        }
    elif routed.category is not None:
        row |= _assignment(
            hotline, routed.category, by=routed.by, emergency=routed.emergency, now=now
        )
    writes_before = tx_state(db).writes
    try:
        async with db.begin_nested():
            row["ticket_no"] = await _next_ticket_no(db, now.astimezone(CHINA).date())
            await db.execute(_INSERT_TICKET, row)
    except IntegrityError:  # the same key twice at once: the first one wins
        tx_state(db).writes = writes_before
        earlier = await _by_key(db, reporter_id, key) if key else None
        if earlier is None:
            raise
        return await view(db, hotline=hotline, ticket_id=earlier, actor=actor), False
    await _event(db, ticket_id, actor, "received", {"channel": channel, "kind": checked.kind})
    ticket_no = row["ticket_no"]
    if parent is not None:
        await _event(db, ticket_id, None, "linked", {"ticket_no": parent.ticket_no})
        await _event(db, parent.id, None, "duplicate_linked", {"ticket_no": ticket_no})
        await _tell(db, reporter_id, "ticket_linked", ticket_id, ticket_no, parent.ticket_no)
    elif routed.category is not None:
        await _dispatched(db, hotline, ticket_id, ticket_no, routed.category, by=routed.by)
        await _tell(db, reporter_id, "ticket_received", ticket_id, ticket_no)
    else:
        await _event(db, ticket_id, None, "queued", {"suggestions": row["suggestions"]})
        await _tell(db, reporter_id, "ticket_received", ticket_id, ticket_no)
    await audit.record(
        db,
        actor=actor,
        action="complaint.received",
        target_type="ticket",
        target_id=ticket_id,
        after={"ticket_no": ticket_no, "channel": channel, "routed_by": routed.by},
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor, checked=False), True


def _assignment(
    hotline: Hotline,
    category: str,
    *,
    by: str,
    emergency: bool,
    now: dt.datetime,
    first_department: str | None = None,
    due_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """A ticket's columns once dispatched to ``category`` at ``now``: its department and
    deadlines. 首接负责: a ticket that already has a first department keeps its answer
    deadline (``due_at``) when transferred."""
    found = hotline.definitions.categories[category]
    deadline_class = "emergency" if emergency else found.deadline
    sign_due, due = deadlines(hotline, deadline_class=deadline_class, start=now)
    return {
        "category": category,
        "department_code": found.department,
        "first_department": first_department or found.department,
        "routed_by": by,
        "deadline_class": deadline_class,
        "status": "assigned",
        "transfer_requested": None,
        "dispatched_at": now,
        "sign_due_at": sign_due,
        "signed_at": None,
        "due_at": due_at if first_department else due,
    }


async def _dispatch(
    db: Db, hotline: Hotline, ticket_id: str, category: str, *, by: str, actor: Any | None
) -> None:
    current = await _get(db, ticket_id)
    values = _assignment(
        hotline,
        category,
        by=by,
        emergency=current.emergency,
        now=_now(),
        first_department=current.first_department,
        due_at=_aware(current.due_at),
    )
    await _update(db, ticket_id, **values)
    await _dispatched(db, hotline, ticket_id, current.ticket_no, category, by=by, actor=actor)


async def _dispatched(
    db: Db,
    hotline: Hotline,
    ticket_id: str,
    ticket_no: str,
    category: str,
    *,
    by: str,
    actor: Any | None = None,
) -> None:
    """What follows a dispatch: its timeline event, and a notice to the department's handlers."""
    found = hotline.definitions.categories[category]
    await _event(
        db,
        ticket_id,
        actor,
        "dispatched",
        {"category": category, "department": found.department, "by": by},
    )
    for officer in await identity_repo.officers(
        db, department_code=found.department, role=HANDLER_ROLE
    ):
        await notifications.notify(
            db,
            account_id=officer,
            kind="ticket_assigned",
            params={"ticket_no": ticket_no, "category": found.name.zh},
        )


async def _tell(
    db: Db, account_id: str | None, kind: str, ticket_id: str, ticket_no: str, other: str = ""
) -> None:
    if account_id:
        await notifications.notify(
            db, account_id=account_id, kind=kind, params={"ticket_no": ticket_no, "other": other}
        )


# --- the dispatch centre and the departments ------------------------------------------------


def _is(actor: Any, *, department: str | None = None, role: str) -> bool:
    return (
        getattr(actor, "kind", None) == "staff"
        and role in actor.roles
        and (department is None or actor.department_code == department)
    )


async def dispatch(
    db: Db, *, hotline: Hotline, actor: Any, ticket_id: str, category: str
) -> dict[str, Any]:
    """派单 by the dispatch centre: route a queued ticket, or formally transfer one a department
    asked to hand on. Either joins the history retraining learns from."""
    if not _is(actor, department=CENTRE, role=DISPATCHER_ROLE):
        raise NotFound()
    current = await _get(db, ticket_id, for_update=True)
    if category not in hotline.definitions.categories:
        raise Invalid("unknown_category", details=[field_error("category", "unknown_category")])
    if current.status not in ("dispatching", "assigned", "in_progress"):
        raise Conflict("ticket_not_dispatchable")
    suggested = current.suggestions[0][0] if current.suggestions else None
    was = current.category or suggested
    # A person's routing of a ticket the model was unsure of, or a re-routing, is a label
    # retraining learns from.
    if current.status == "dispatching" or category != current.category:
        await db.execute(
            sa.insert(routing_corrections).values(
                ticket_id=ticket_id,
                text=current.text,
                category=category,
                was=was,
                created_at=_now(),
            )
        )
    if current.status != "dispatching" and category == current.category:
        await _update(db, ticket_id, transfer_requested=None)
        await _event(
            db, ticket_id, actor, "transfer_refused", {"department": current.department_code}
        )
    else:
        await _dispatch(db, hotline, ticket_id, category, by="dispatcher", actor=actor)
    await audit.record(
        db,
        actor=actor,
        action="complaint.dispatched",
        target_type="ticket",
        target_id=ticket_id,
        before={"category": current.category},
        after={"category": category},
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


async def _handled_by_me(db: Db, actor: Any, ticket_id: str) -> Any:
    current = await _get(db, ticket_id, for_update=True)
    if current.department_code is None or not _is(
        actor, department=current.department_code, role=HANDLER_ROLE
    ):
        raise NotFound()
    return current


async def sign(db: Db, *, hotline: Hotline, actor: Any, ticket_id: str) -> dict[str, Any]:
    """签收: the department takes the ticket on."""
    current = await _handled_by_me(db, actor, ticket_id)
    if current.status != "assigned":
        raise Conflict("ticket_not_signable")
    await _update(db, ticket_id, status="in_progress", signed_at=_now())
    await _event(db, ticket_id, actor, "signed", {"department": current.department_code})
    await audit.record(
        db, actor=actor, action="complaint.signed", target_type="ticket", target_id=ticket_id
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


async def request_transfer(
    db: Db, *, hotline: Hotline, actor: Any, ticket_id: str, reason: str
) -> dict[str, Any]:
    """申请退回: not ours — but under 首接负责 it stays ours until the dispatch centre moves it."""
    current = await _handled_by_me(db, actor, ticket_id)
    if current.status not in ("assigned", "in_progress"):
        raise Conflict("ticket_not_transferable")
    reason = reason.strip()
    if not reason:
        raise Invalid("reason_required", details=[field_error("reason", "field_required")])
    await _update(db, ticket_id, transfer_requested=reason[:500])
    await _event(db, ticket_id, actor, "transfer_requested", {"reason": reason[:500]})
    await audit.record(
        db,
        actor=actor,
        action="complaint.transfer_requested",
        target_type="ticket",
        target_id=ticket_id,
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


async def reply(
    db: Db, *, hotline: Hotline, actor: Any, ticket_id: str, text: str
) -> dict[str, Any]:
    """答复: the department's answer; tickets linked to this one get it too."""
    current = await _handled_by_me(db, actor, ticket_id)
    if current.status not in ("assigned", "in_progress"):
        raise Conflict("ticket_not_open")
    text = text.strip()
    if len(text) < 5:
        raise Invalid("reply_too_short", details=[field_error("reply", "reply_too_short")])
    now = _now()
    changes = {"status": "replied", "reply": text[:4000], "replied_at": now}
    await _update(db, ticket_id, signed_at=_aware(current.signed_at) or now, **changes)
    await _event(db, ticket_id, actor, "replied", {"department": current.department_code})
    await _tell(db, current.reporter_id, "ticket_replied", ticket_id, current.ticket_no)
    # Read whole before the updates below (on SQLite's writer thread a cursor left open while
    # the same table is updated is undefined behaviour).
    linked = (
        await db.execute(
            sa.select(tickets.c.id, tickets.c.reporter_id, tickets.c.ticket_no).where(
                tickets.c.duplicate_of == ticket_id, tickets.c.status == "linked"
            )
        )
    ).all()
    for child in linked:
        await _update(db, child.id, **changes)
        await _event(db, child.id, None, "replied", {"with": current.ticket_no})
        await _tell(db, child.reporter_id, "ticket_replied", child.id, child.ticket_no)
    await audit.record(
        db, actor=actor, action="complaint.replied", target_type="ticket", target_id=ticket_id
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


async def callback(
    db: Db,
    *,
    hotline: Hotline,
    actor: Any,
    ticket_id: str,
    resolved: bool,
    satisfied: bool,
    comment: str = "",
) -> dict[str, Any]:
    """回访: the reporter says whether it was resolved and whether they are satisfied. Not
    resolved, the ticket goes back to the department to be handled again (重办)."""
    current = await _get(db, ticket_id, for_update=True)
    if current.reporter_id is None or current.reporter_id != getattr(actor, "id", None):
        raise NotFound()
    if current.status != "replied":
        raise Conflict("ticket_not_replied")
    now = _now()
    values: dict[str, Any] = {
        "resolved": resolved,
        "satisfied": satisfied,
        "callback_comment": comment.strip()[:1000] or None,
        "callback_at": now,
    }
    if resolved or current.duplicate_of:
        values.update(status="closed", closed_at=now)
    else:
        # 重办: back to the department that answered; it has the ticket already (no new
        # sign-for), with a fresh answer deadline.
        _, due = deadlines(hotline, deadline_class=current.deadline_class or "general", start=now)
        values.update(status="in_progress", due_at=due, escalated_at=None)
    await _update(db, ticket_id, **values)
    await _event(
        db,
        ticket_id,
        actor,
        "called_back",
        {"resolved": resolved, "satisfied": satisfied, "reopened": values["status"] != "closed"},
    )
    await audit.record(
        db,
        actor=actor,
        action="complaint.called_back",
        target_type="ticket",
        target_id=ticket_id,
        after={"resolved": resolved, "satisfied": satisfied},
    )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


# --- photos --------------------------------------------------------------------------------------

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 1_000_000


def photo_type(data: bytes) -> str | None:
    """The image type by its first bytes (JPEG, PNG, WebP), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def add_photos(
    db: Db, *, hotline: Hotline, actor: Any, ticket_id: str, photos: list[bytes]
) -> dict[str, Any]:
    """Attach the reporter's photos (up to three, each under 1 MB) to an open ticket."""
    current = await _get(db, ticket_id, for_update=True)
    if current.reporter_id is None or current.reporter_id != getattr(actor, "id", None):
        raise NotFound()
    if current.status == "closed":
        raise Conflict("ticket_not_open")
    have = (
        await db.execute(sa.select(sa.func.count()).where(ticket_photos.c.ticket_id == ticket_id))
    ).scalar_one()
    errors = []
    if have + len(photos) > MAX_PHOTOS:
        errors.append(field_error("photos", "too_many_photos"))
    for index, data in enumerate(photos):
        if len(data) > MAX_PHOTO_BYTES:
            errors.append(field_error(f"photos.{index}", "photo_too_large"))
        elif photo_type(data) is None:
            errors.append(field_error(f"photos.{index}", "photo_not_an_image"))
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    now = _now()
    for offset, data in enumerate(photos):
        await db.execute(
            sa.insert(ticket_photos).values(
                ticket_id=ticket_id,
                position=have + offset + 1,
                content_type=photo_type(data),
                size=len(data),
                data=data,
                created_at=now,
            )
        )
    if photos:
        await _event(db, ticket_id, actor, "photos_added", {"count": len(photos)})
        await audit.record(
            db,
            actor=actor,
            action="complaint.photos_added",
            target_type="ticket",
            target_id=ticket_id,
            after={"count": len(photos)},
        )
    return await view(db, hotline=hotline, ticket_id=ticket_id, actor=actor)


async def photo(db: Db, *, actor: Any, ticket_id: str, position: int) -> tuple[str, bytes]:
    """One photo of a ticket, for whoever may see the ticket."""
    row = await _get(db, ticket_id)
    if not _may_see(actor, row):
        raise NotFound()
    found = (
        await db.execute(
            sa.select(ticket_photos.c.content_type, ticket_photos.c.data).where(
                ticket_photos.c.ticket_id == ticket_id, ticket_photos.c.position == position
            )
        )
    ).first()
    if found is None:
        raise NotFound()
    return found.content_type, bytes(found.data)


# --- reading -------------------------------------------------------------------------------------


async def _get(db: Db, ticket_id: str, *, for_update: bool = False) -> Any:
    locked = for_update and db.dialect.name == "postgresql"
    found = (
        await db.execute(_TICKET_FOR_UPDATE if locked else _TICKET, {"ticket_id": ticket_id})
    ).first()
    if found is None:
        raise NotFound()
    return found


def _may_see(actor: Any, row: Any) -> bool:
    if actor is None:
        return False
    if row.reporter_id is not None and row.reporter_id == actor.id:
        return True
    if getattr(actor, "kind", None) == "admin":
        return True
    if getattr(actor, "kind", None) != "staff":
        return False
    return actor.department_code in (CENTRE, row.department_code, row.first_department)


async def view(
    db: Db, *, hotline: Hotline, ticket_id: str, actor: Any, checked: bool = True
) -> dict[str, Any]:
    """A ticket as its reporter or its handlers see it; anyone else's is a 404 (``checked=False``
    only for the platform's own answer to whoever just filed it, e.g. anonymously by Open311)."""
    row = await _get(db, ticket_id)
    if checked and not _may_see(actor, row):
        raise NotFound()
    events = await db.execute(_TIMELINE, {"ticket_id": ticket_id})
    photos = await db.execute(_PHOTOS, {"ticket_id": ticket_id})
    parent_no = None
    if row.duplicate_of:
        parent_no = (await db.execute(_TICKET_NO, {"ticket_id": row.duplicate_of})).scalar()
    return summary(hotline, row) | {
        "text": row.text,
        "reply": row.reply,
        "duplicate_of": parent_no,
        "resolved": row.resolved,
        "satisfied": row.satisfied,
        "callback_at": _iso(row.callback_at),
        "transfer_requested": row.transfer_requested,
        "photos": [
            {
                "position": p.position,
                "content_type": p.content_type,
                "size": p.size,
                "url": f"/api/v1/complaints/{row.id}/photos/{p.position}",
            }
            for p in photos
        ],
        "suggestions": _suggestions(hotline, row),
        # The handlers may call the reporter back; nobody else sees how to reach them.
        "reporter": {"name": row.reporter_name, "phone": row.reporter_phone}
        if getattr(actor, "kind", None) in ("staff", "admin")
        else None,
        "timeline": [
            {"at": _iso(e.at), "kind": e.kind, "actor_kind": e.actor_kind, "detail": e.detail}
            for e in events
        ],
    }


def _iso(value: dt.datetime | None) -> str | None:
    value = _aware(value)
    return None if value is None else value.isoformat()


def _category_name(hotline: Hotline, code: str | None) -> tuple[str | None, str | None]:
    found = hotline.definitions.categories.get(code or "")
    return (found.name.zh, found.name.en) if found else (None, None)


def summary(hotline: Hotline, row: Any) -> dict[str, Any]:
    """A line of a ticket list."""
    name, name_en = _category_name(hotline, row.category)
    group = hotline.definitions.group_of(row.category or "")
    return {
        "id": row.id,
        "ticket_no": row.ticket_no,
        "kind": row.kind,
        "channel": row.channel,
        "category": row.category,
        "category_name": name,
        "category_name_en": name_en,
        "group": group.code if group else None,
        "department": row.department_code,
        "first_department": row.first_department,
        "routed_by": row.routed_by,
        "confidence": row.confidence,
        "emergency": row.emergency,
        "deadline_class": row.deadline_class,
        "status": row.status,
        "address": row.address,
        "location": {"lat": row.lat, "lon": row.lon} if row.lat is not None else None,
        "media_urls": list(row.media_urls or []),
        "sign_due_at": _iso(row.sign_due_at),
        "signed_at": _iso(row.signed_at),
        "due_at": _iso(row.due_at),
        "replied_at": _iso(row.replied_at),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "overdue": row.status in ("assigned", "in_progress")
        and row.due_at is not None
        and _aware(row.due_at) < _now(),  # type: ignore[operator]
        "escalated": row.escalated_at is not None,
        "text_preview": row.text[:80],
    }


async def mine(db: Db, *, hotline: Hotline, actor: Any) -> list[dict[str, Any]]:
    """My tickets, newest first."""
    rows = await db.execute(
        sa.select(tickets)
        .where(tickets.c.reporter_id == actor.id)
        .order_by(tickets.c.created_at.desc())
        .limit(200)
    )
    return [summary(hotline, r) for r in rows]


async def queue(db: Db, *, hotline: Hotline, actor: Any) -> list[dict[str, Any]]:
    """The dispatch centre's queue: tickets to route, and departments' transfer requests."""
    if not _is(actor, department=CENTRE, role=DISPATCHER_ROLE):
        raise NotFound()
    rows = await db.execute(
        sa.select(tickets)
        .where(
            sa.or_(
                tickets.c.status == "dispatching",
                sa.and_(tickets.c.transfer_requested.is_not(None), tickets.c.status.in_(OPEN)),
            )
        )
        .order_by(tickets.c.emergency.desc(), tickets.c.created_at)
        .limit(500)
    )
    return [
        summary(hotline, r)
        | {
            "text": r.text,
            "transfer_requested": r.transfer_requested,
            "suggestions": _suggestions(hotline, r),
        }
        for r in rows
    ]


def _suggestions(hotline: Hotline, row: Any) -> list[dict[str, Any]]:
    return [
        {"category": c, "confidence": p, "name": _category_name(hotline, c)[0]}
        for c, p in row.suggestions
    ]


async def inbox(db: Db, *, hotline: Hotline, actor: Any) -> list[dict[str, Any]]:
    """A department's open tickets, emergencies and the soonest due first."""
    if not _is(actor, role=HANDLER_ROLE):
        raise NotFound()
    rows = await db.execute(
        sa.select(tickets)
        .where(
            tickets.c.department_code == actor.department_code,
            tickets.c.status.in_(("assigned", "in_progress", "replied")),
        )
        .order_by(tickets.c.emergency.desc(), tickets.c.due_at)
        .limit(500)
    )
    return [summary(hotline, r) for r in rows]


async def _update(db: Db, ticket_id: str, **values: Any) -> None:
    await db.execute(
        sa.update(tickets).where(tickets.c.id == ticket_id).values(updated_at=_now(), **values)
    )


async def _event(
    db: Db, ticket_id: str, actor: Any | None, kind: str, detail: dict[str, Any]
) -> None:
    await db.execute(
        _INSERT_EVENT,
        {
            "ticket_id": ticket_id,
            "at": _now(),
            "actor_id": getattr(actor, "id", None),
            "actor_kind": getattr(actor, "kind", None),
            "kind": kind,
            "detail": detail,
        },
    )


# --- deadlines and the hotline's three rates -------------------------------------------------


async def check_deadlines(db: Db, *, now: dt.datetime | None = None) -> int:
    """督办: escalate tickets not signed for or not answered in time, once each, to the
    department's supervisors and the hotline centre's."""
    now = now or _now()
    rows = await db.execute(
        sa.select(tickets).where(
            tickets.c.escalated_at.is_(None),
            sa.or_(
                sa.and_(tickets.c.status == "assigned", tickets.c.sign_due_at < now),
                sa.and_(tickets.c.status.in_(("assigned", "in_progress")), tickets.c.due_at < now),
            ),
        )
    )
    escalated = 0
    for row in rows:
        late = "answer" if _aware(row.due_at) < now else "sign_for"  # type: ignore[operator]
        await _update(db, row.id, escalated_at=now)
        await _event(db, row.id, None, "escalated", {"late": late})
        for department in {row.department_code, CENTRE}:
            for officer in await identity_repo.officers(
                db, department_code=department or CENTRE, role=SUPERVISOR_ROLE
            ):
                await notifications.notify(
                    db,
                    account_id=officer,
                    kind="ticket_escalated",
                    params={"ticket_no": row.ticket_no, "late": late},
                )
        escalated += 1
    if escalated:
        await audit.record(
            db, actor=None, action="complaint.escalated", after={"tickets": escalated}
        )
    return escalated


async def stats(
    db: Db,
    *,
    hotline: Hotline,
    since: dt.datetime,
    until: dt.datetime,
    department: str | None = None,
) -> dict[str, Any]:
    """响应率, 解决率, 满意率 per department for tickets received in [since, until).

    response rate: dispatched tickets signed for within their sign-for deadline;
    resolution rate: called-back tickets the reporter said were resolved;
    satisfaction rate: called-back tickets whose reporter was satisfied.
    """
    query = sa.select(tickets).where(
        tickets.c.created_at >= since,
        tickets.c.created_at < until,
        tickets.c.department_code.is_not(None),
        tickets.c.duplicate_of.is_(None),
    )
    if department:
        query = query.where(tickets.c.department_code == department)
    per: dict[str, dict[str, int]] = {}
    for row in await db.execute(query):
        counts = per.setdefault(
            row.department_code,
            {
                "tickets": 0,
                "dispatched": 0,
                "responded_on_time": 0,
                "called_back": 0,
                "resolved": 0,
                "satisfied": 0,
                "replied": 0,
                "replied_on_time": 0,
            },
        )
        counts["tickets"] += 1
        if row.dispatched_at is not None:
            counts["dispatched"] += 1
            signed, due = _aware(row.signed_at), _aware(row.sign_due_at)
            if signed is not None and due is not None and signed <= due:
                counts["responded_on_time"] += 1
        if row.replied_at is not None:
            counts["replied"] += 1
            if row.due_at is not None and _aware(row.replied_at) <= _aware(row.due_at):  # type: ignore[operator]
                counts["replied_on_time"] += 1
        if row.callback_at is not None:
            counts["called_back"] += 1
            counts["resolved"] += bool(row.resolved)
            counts["satisfied"] += bool(row.satisfied)

    def rate(part: int, whole: int) -> float | None:
        return None if whole == 0 else round(part / whole, 4)

    departments = []
    for code, c in sorted(per.items()):
        departments.append(
            {
                "department": code,
                **c,
                "response_rate": rate(c["responded_on_time"], c["dispatched"]),
                "resolution_rate": rate(c["resolved"], c["called_back"]),
                "satisfaction_rate": rate(c["satisfied"], c["called_back"]),
                "on_time_reply_rate": rate(c["replied_on_time"], c["replied"]),
            }
        )
    total = {
        k: sum(d[k] for d in departments)
        for k in (
            "tickets",
            "dispatched",
            "responded_on_time",
            "called_back",
            "resolved",
            "satisfied",
        )
    }
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "total": total
        | {
            "response_rate": rate(total["responded_on_time"], total["dispatched"]),
            "resolution_rate": rate(total["resolved"], total["called_back"]),
            "satisfaction_rate": rate(total["satisfied"], total["called_back"]),
        },
        "departments": departments,
    }
