"""Applying once: submit a service or bundle, follow it, correct it, withdraw it; decisions on
its branches roll up into the application's status."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import jobs
from yiwang.applications import licences, models
from yiwang.applications import repository as repo
from yiwang.applications.writer import Prepared, SubmissionWriter, TableRows
from yiwang.audit import service as audit
from yiwang.audit.models import audit_events
from yiwang.catalog import forms, snapshots
from yiwang.catalog.loader import Catalog
from yiwang.catalog.subjects import Subject, subject_of
from yiwang.certificates import service as certificates
from yiwang.database import Db, end_reads, transaction
from yiwang.errors import Conflict, Invalid, NotFound, YiwangError, field_error
from yiwang.exchange import service as exchange
from yiwang.identity import repository as identity_repo
from yiwang.identity.service import Account
from yiwang.kit.ids import new_id
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.notifications import service as notifications
from yiwang.observability import current_request_id
from yiwang.prefill import service as prefill
from yiwang.rawdb import RawDatabase, Row
from yiwang.workflow import models as workflow_models
from yiwang.workflow import repository as workflow_repo
from yiwang.workflow import service as workflow

CHINA = dt.timezone(dt.timedelta(hours=8))
OPEN_STATUSES = frozenset({"in_progress", "returned"})


def officers_of(db: Db) -> workflow.Officers:
    """Who can sign a 会签 step: the department's active officers holding its role."""

    async def lookup(department: str, role: str) -> list[str]:
        return await identity_repo.officers(db, department_code=department, role=role)

    return lookup


async def lock_for_task(db: Db, task_id: str) -> str:
    """Lock the application a task belongs to (one verb at a time on it); returns its id."""
    application_id = await workflow.application_of_task(db, task_id)
    if application_id is None:
        raise NotFound()
    await repo.lock(db, application_id)
    return application_id


def china_today() -> dt.date:
    """Today's date in China Standard Time (deadlines are counted in it)."""
    return dt.datetime.now(CHINA).date()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def request_digest(body: dict[str, Any]) -> str:
    """A fingerprint of a submission, to tell a replay from a different request."""
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


async def submit(
    writer: SubmissionWriter,
    *,
    actor: Account,
    service: str | None,
    bundle: str | None,
    form: Any,
    idempotency_key: str | None,
    calendar: WorkdayCalendar,
    consent_id: str | None = None,
    prefill_token: str | None = None,
    secret: bytes = b"",
) -> tuple[dict[str, Any], bool]:
    """一次申请: check the form, give a tracking number, fan out to the departments.

    Everything is checked and turned into rows first, holding no lock; the rows are then written
    in one transaction with whatever other submissions are waiting (``writer``), and the
    application is answered from them. Returns the application and whether it was created now
    (False: a replay of the same key).
    """
    idempotency_key = idempotency_key or None  # an empty header is no key
    body_digest = request_digest(
        {"service": service, "bundle": bundle, "form": form, "consent_id": consent_id}
        | ({"prefill_token": prefill_token} if prefill_token else {})
    )
    try:
        plan = await _plan(
            writer,
            actor=actor,
            service=service,
            bundle=bundle,
            form=form,
            idempotency_key=idempotency_key,
            body_digest=body_digest,
            calendar=calendar,
            consent_id=consent_id,
            prefill_token=prefill_token,
            secret=secret,
        )
    except YiwangError:
        # A retry of something stored gets the stored answer, whatever changed since (an expired
        # prefill token, a new catalogue). Looked up only when the request is refused: a key
        # stored a moment ago is found by the writer, in the transaction that would store it.
        earlier = await writer.stored_under(actor.id, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return await _replay(writer, actor, earlier, body_digest), False
    outcome = await writer.submit(plan.prepared)
    if not outcome.created:  # stored under the same key a moment ago: the same answer as then
        earlier = (outcome.earlier_id or "", outcome.earlier_digest or "")
        return await _replay(writer, actor, earlier, body_digest), False
    assert outcome.rows is not None
    stored = {table.name: table_rows for table, table_rows in outcome.rows}
    held_by_id = {licence["id"]: licence for licence in plan.held.values() if licence is not None}
    return _document(
        plan.catalog,
        SimpleNamespace(**stored["applications"][0]),
        branches=sorted((SimpleNamespace(**b) for b in plan.branch_rows), key=lambda b: b.id),
        events=[SimpleNamespace(**e) for e in stored["application_events"]],
        materials=plan.materials,
        held=held_by_id,
        issued=[],
    ), True


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A submission checked and turned into rows, before it is written."""

    prepared: Prepared
    catalog: Catalog
    branch_rows: list[dict[str, Any]]
    materials: list[dict[str, Any]]
    held: dict[str, Row | None]


async def _plan(
    writer: SubmissionWriter,
    *,
    actor: Account,
    service: str | None,
    bundle: str | None,
    form: Any,
    idempotency_key: str | None,
    body_digest: str,
    calendar: WorkdayCalendar,
    consent_id: str | None,
    prefill_token: str | None,
    secret: bytes,
) -> _Plan:
    """Check a submission and plan its rows (refusing it with a ``YiwangError``)."""
    snapshot_id, catalog = await snapshots.current_of(writer.engine)
    subject = subject_of(catalog, service=service, bundle=bundle)
    if actor.kind not in {a for s in subject.services for a in s.audience}:
        raise Invalid("wrong_audience", details=[field_error("service", "wrong_audience")])
    clean, errors = forms.validate(form, subject.fields, catalog.elements)
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    origins, token_consent = prefill.provenance(
        secret, token=prefill_token, account_id=actor.id, subject=subject, answers=clean
    )
    today = china_today()
    application_id = new_id()
    due = calendar.add_workdays(today, _critical_days(subject))
    service_codes = [s.code for s in subject.services]
    branch_rows, task_rows = await workflow.plan_start(
        application_id=application_id,
        plans=[
            workflow.BranchPlan(item, tuple(subject.waits_for.get(item.code, ())))
            for item in subject.services
        ],
        today=today,
        calendar=calendar,
        officers=writer.officers,
    )
    # 免证办: the applicant's valid licences meet materials and fill empty fields.
    kinds = licences.wanted_types(catalog, service_codes)
    held = await writer.held_certificates(actor.id, kinds, today) if kinds else {}
    attachment = licences.plan_attachment(
        catalog=catalog,
        subject=subject,
        application_id=application_id,
        service_codes=service_codes,
        form=clean,
        held=held,
    )
    if attachment.filled and attachment.source is not None:
        clean, origins = licences.filled_in(clean, origins, attachment.filled, attachment.source)
    now = _now()
    request_id = current_request_id()  # rows() may run on the writer's thread, not this request's

    def rows(tracking_no: str) -> TableRows:
        application = {
            "id": application_id,
            "tracking_no": tracking_no,
            "applicant_id": actor.id,
            "kind": subject.kind,
            "subject_code": subject.code,
            "snapshot_id": snapshot_id,
            "form": clean,
            "provenance": origins,
            "consent_id": token_consent or consent_id,
            "status": "in_progress",
            "accepted_on": today,
            "due_date": due,
            "idempotency_key": idempotency_key,
            "request_digest": body_digest,
            "created_at": now,
            "updated_at": now,
        }
        notice = notifications.payload(
            actor.id,
            "submitted",
            {"tracking_no": tracking_no, "due": due.isoformat()},
            application_id,
        )
        return [
            (models.applications, [application]),
            (workflow_models.branches, branch_rows),
            (workflow_models.tasks, task_rows),
            (models.application_materials, attachment.materials),
            (
                models.application_events,
                [
                    *attachment.events(application_id),
                    repo.event_row(
                        application_id, "submitted", {"tracking_no": tracking_no}, actor=actor
                    ),
                ],
            ),
            (jobs.jobs, [jobs.row(notifications.JOB_KIND, notice)]),
            (
                audit_events,
                [
                    audit.row(
                        actor=actor,
                        request_id=request_id,
                        action="application.submitted",
                        target_type="application",
                        target_id=application_id,
                        after={
                            "tracking_no": tracking_no,
                            "kind": subject.kind,
                            "code": subject.code,
                        },
                    )
                ],
            ),
        ]

    prepared = Prepared(
        application_id=application_id,
        applicant_id=actor.id,
        idempotency_key=idempotency_key,
        request_digest=body_digest,
        region_code=catalog.region.code,
        day=today,
        rows=rows,
    )
    return _Plan(prepared, catalog, branch_rows, attachment.materials, held)


def _critical_days(subject: Subject) -> int:
    memo: dict[str, int] = {}
    by_code = {s.code: s for s in subject.services}

    def finish(code: str) -> int:
        if code not in memo:
            before = max((finish(p) for p in subject.waits_for.get(code, [])), default=0)
            memo[code] = before + by_code[code].promised_limit_days
        return memo[code]

    return max(finish(s.code) for s in subject.services)


async def _replay(
    writer: SubmissionWriter, actor: Account, earlier: tuple[str, str], body_digest: str
) -> dict[str, Any]:
    """The answer to a submission already stored under its key: the application, or 409 when the
    key was used for a different request."""
    earlier_id, earlier_digest = earlier
    if earlier_digest != body_digest:
        raise Conflict("idempotency_conflict")
    async with transaction(writer.engine, write=False) as db:
        return await view(db, actor=actor, application_id=earlier_id)


async def add_event(
    db: Db,
    application_id: str,
    actor: Account | None,
    kind: str,
    detail: dict[str, Any],
    *,
    branch_id: str | None = None,
) -> None:
    await repo.add_events(
        db, [repo.event_row(application_id, kind, detail, actor=actor, branch_id=branch_id)]
    )


async def _own(db: Db, actor: Account, application_id: str) -> Any:
    row = await repo.get(db, application_id)
    if row is None or row.applicant_id != actor.id:
        raise NotFound()  # another person's application does not exist for you
    return row


async def view(db: Db, *, actor: Account, application_id: str) -> dict[str, Any]:
    """An application as its applicant sees it: status, per-department steps, timeline."""
    row = await _own(db, actor, application_id)
    return await _render(db, row)


async def view_read(
    raw: RawDatabase, engine: AsyncEngine, *, actor: Account, application_id: str
) -> dict[str, Any]:
    """`view` on the raw driver, in one read-only snapshot: the status page a surge of
    applicants refreshes (``GET /api/v1/applications/{id}``)."""

    async def read(tx: Any) -> dict[str, Any] | None:
        found = await tx.fetch(
            raw.query("status.application", repo.by_id_query), application_id=application_id
        )
        if not found or found[0]["applicant_id"] != actor.id:
            return None  # another person's application does not exist for you
        materials = await tx.fetch(
            raw.query("status.materials", licences.materials_query), application_id=application_id
        )
        held: dict[str, Row] = {}
        for certificate_id in sorted({m["certificate_id"] for m in materials}):
            for licence in await tx.fetch(
                raw.query("status.certificate", certificates.by_id_query),
                certificate_id=certificate_id,
            ):
                held[licence["id"]] = licence
        return {
            "row": found[0],
            "materials": materials,
            "held": held,
            "branches": await tx.fetch(
                raw.query("status.branches", workflow_repo.branches_query),
                application_id=application_id,
            ),
            "events": await tx.fetch(
                raw.query("status.events", repo.events_query), application_id=application_id
            ),
            "issued": await tx.fetch(
                raw.query("status.issued", certificates.issued_for_query),
                application_id=application_id,
            ),
        }

    got = await raw.read(read)
    if got is None:
        raise NotFound()
    row = SimpleNamespace(**got["row"])
    return _document(
        await snapshots.by_id_of(engine, row.snapshot_id),
        row,
        branches=[SimpleNamespace(**b) for b in got["branches"]],
        events=[SimpleNamespace(**e) for e in got["events"]],
        materials=got["materials"],
        held=got["held"],
        issued=got["issued"],
    )


async def _render(db: Db, row: Any) -> dict[str, Any]:
    catalog = await snapshots.by_id(db, row.snapshot_id)
    materials = await licences.materials_of(db, catalog=catalog, application_id=row.id)
    return _document(
        catalog,
        row,
        branches=await workflow.branches(db, row.id),
        events=await repo.events(db, row.id),
        materials=materials,
        held=await certificates.by_ids(db, sorted({m["certificate_id"] for m in materials})),
        issued=await certificates.issued_for(db, application_id=row.id),
    )


def _document(
    catalog: Catalog,
    row: Any,
    *,
    branches: list[Any],
    events: list[Any],
    materials: list[dict[str, Any]],
    held: dict[str, dict[str, Any]],
    issued: list[dict[str, Any]],
) -> dict[str, Any]:
    """An application as its applicant sees it, from its rows (read back, or just written):
    ``materials`` are its attached licences' rows, ``held`` those licences by id."""
    attached = {(m["service_code"], m["material_code"]): m["certificate_id"] for m in materials}
    steps = []
    for branch in branches:
        service = catalog.services[branch.service_code]
        department = catalog.departments[branch.department_code]
        step = service.workflow.by_code.get(branch.step_code)
        steps.append(
            {
                "id": branch.id,
                "service": {
                    "code": service.code,
                    "name": service.name.zh,
                    "name_en": service.name.en,
                },
                "department": {
                    "code": department.code,
                    "name": department.name.zh,
                    "name_en": department.name.en,
                },
                "status": branch.status,
                "step": {"code": step.code, "name": step.name.zh, "name_en": step.name.en}
                if step
                else None,
                "waits_for": branch.waits_for,
                "due_date": branch.due_date.isoformat() if branch.due_date else None,
                "remaining_days": branch.remaining_days,
            }
        )
    timeline = [
        {
            "at": e.at.isoformat() if e.at.tzinfo else e.at.replace(tzinfo=dt.UTC).isoformat(),
            "kind": e.kind,
            "branch_id": e.branch_id,
            "actor_kind": e.actor_kind,
            "detail": e.detail,
        }
        for e in events
    ]
    return {
        "id": row.id,
        "tracking_no": row.tracking_no,
        "kind": row.kind,
        "code": row.subject_code,
        row.kind: row.subject_code,
        "status": row.status,
        "accepted_on": row.accepted_on.isoformat(),
        "due_date": row.due_date.isoformat(),
        "form": row.form,
        "provenance": row.provenance or {},
        "materials": _materials(catalog, row, attached, held),
        "certificates": [certificates.view(catalog, c) for c in issued],
        "consent_id": row.consent_id,
        "steps": steps,
        "timeline": timeline,
    }


def _materials(
    catalog: Catalog,
    row: Any,
    attached: dict[tuple[str, str], str],
    held: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every material of the application's services and how it is met: a licence attached
    (免证办), the platform's shared data (免提交), or by the applicant."""
    out = []
    for service in subject_of_row(catalog, row).services:
        for material in service.materials:
            licence = held.get(attached.get((service.code, material.code), ""))
            by = material.provided_by
            out.append(
                {
                    "service": service.code,
                    "code": material.code,
                    "name": material.name.zh,
                    "name_en": material.name.en,
                    "required": material.required,
                    "met_by": "certificate"
                    if licence
                    else "shared_data"
                    if by and not by.startswith("certificate:")
                    else "applicant",
                    "certificate": None
                    if licence is None
                    else {
                        "id": licence["id"],
                        "identifier": licence["identifier"],
                        "type": licence["type"],
                        "type_name": _type_name(catalog, licence["type"], "zh"),
                        "type_name_en": _type_name(catalog, licence["type"], "en"),
                        "verify_url": certificates.verify_url(licence["id"]),
                    },
                }
            )
    return out


def _type_name(catalog: Catalog, kind: str, lang: str) -> str:
    found = catalog.certificate_types.get(kind)
    return kind if found is None else getattr(found.name, lang)


async def list_mine(db: Db, *, actor: Account) -> list[dict[str, Any]]:
    """我的办件: the applicant's applications, newest first."""
    return [
        {
            "id": r.id,
            "tracking_no": r.tracking_no,
            "kind": r.kind,
            "code": r.subject_code,
            "status": r.status,
            "accepted_on": r.accepted_on.isoformat(),
            "due_date": r.due_date.isoformat(),
        }
        for r in await repo.mine(db, actor.id)
    ]


async def _roll_up(db: Db, application: Any, actor: Account) -> str:
    """The application's status from its branches' (rejected > returned > approved)."""
    statuses = [b.status for b in await workflow.branches(db, application.id)]
    if "rejected" in statuses:
        status = "rejected"
    elif "withdrawn" in statuses:
        status = "withdrawn"
    elif all(s == "approved" for s in statuses):
        status = "approved"
    elif "returned" in statuses:
        status = "returned"
    else:
        status = "in_progress"
    if status != application.status:
        values: dict[str, Any] = {"status": status, "updated_at": _now()}
        if status in ("approved", "rejected", "withdrawn"):
            values["completed_at"] = _now()
        await repo.update(db, application.id, values)
        await add_event(db, application.id, actor, f"application_{status}", {})
        await notifications.notify(
            db,
            account_id=application.applicant_id,
            kind=status,
            application_id=application.id,
            params={"tracking_no": application.tracking_no},
        )
    return status


async def decide(
    db: Db,
    *,
    actor: Account,
    task_id: str,
    decision: str,
    comment: str,
    corrections: list[str] | None,
    calendar: WorkdayCalendar,
) -> dict[str, Any]:
    """A staff decision on a task, with everything it sets off in the application."""
    if actor.kind != "staff" or not actor.department_code:
        raise NotFound()
    task_app = await lock_for_task(db, task_id)
    application = await repo.get(db, task_app)
    assert application is not None
    catalog = await snapshots.by_id(db, application.snapshot_id)
    today = china_today()
    done = await workflow.decide(
        db,
        task_id=task_id,
        department_code=actor.department_code,
        roles=actor.roles,
        actor_id=actor.id,
        decision=decision,
        comment=comment,
        services=catalog.services,
        today=today,
        calendar=calendar,
        officers=officers_of(db),
    )
    detail: dict[str, Any] = {
        "service": done.service_code,
        "step": done.step_code,
        "decision": decision,
        "comment": comment or None,
    }
    if decision == "return":
        detail["corrections"] = corrections or []
    if done.branch_status == "active" and done.next_step is None and decision == "approve":
        detail["awaiting_cosigners"] = True  # 会签: others still have to sign
    await add_event(
        db,
        application.id,
        actor,
        f"task_{decision}d" if decision != "return" else "task_returned",
        detail,
        branch_id=done.branch_id,
    )
    if done.branch_status == "approved" and application.kind == "bundle":
        # A bundle's applicant hears of each department's result, not only the last one.
        service = catalog.services[done.service_code]
        await notifications.notify(
            db,
            account_id=application.applicant_id,
            kind="branch_approved",
            application_id=application.id,
            params={
                "tracking_no": application.tracking_no,
                "service": service.name.zh,
                "service_en": service.name.en,
            },
        )
    if done.branch_status == "approved":
        subject = subject_of_row(catalog, application)
        await licences.issue_for_branch(
            db,
            catalog=catalog,
            subject=subject,
            application=application,
            service_code=done.service_code,
            branch_id=done.branch_id,
            today=today,
        )
        started = await workflow.release_waiting(
            db,
            application_id=application.id,
            services=catalog.services,
            today=today,
            calendar=calendar,
            officers=officers_of(db),
        )
        for code in started:
            await add_event(db, application.id, None, "branch_started", {"service": code})
        if started:
            await licences.attach_held(
                db,
                catalog=catalog,
                subject=subject,
                application_id=application.id,
                applicant_id=application.applicant_id,
                service_codes=list(started),
                today=today,
            )
    elif done.branch_status == "rejected":
        stopped = await workflow.stop_all(db, application_id=application.id, status="stopped")
        if stopped:
            await add_event(
                db,
                application.id,
                None,
                "branches_stopped",
                {"services": stopped, "because": done.service_code},
            )
    status = await _roll_up(db, application, actor)
    await audit.record(
        db,
        actor=actor,
        action=f"task.{decision}",
        target_type="task",
        target_id=task_id,
        after={
            "application": application.id,
            "service": done.service_code,
            "step": done.step_code,
            "application_status": status,
        },
    )
    return {
        "task_id": task_id,
        "decision": decision,
        "branch_status": done.branch_status,
        "next_step": done.next_step,
        "application_id": application.id,
        "tracking_no": application.tracking_no,
        "application_status": status,
    }


async def supplement(
    db: Db, *, actor: Account, application_id: str, form: Any, calendar: WorkdayCalendar
) -> dict[str, Any]:
    """补正: the applicant corrects the form; returned branches resume where they stopped.

    Only the fields the returning departments asked about may change (or, where they named
    none, the fields of the returned services): what an approved service reviewed stays put.
    """
    await _own(db, actor, application_id)
    await repo.lock(db, application_id)
    application = await _own(db, actor, application_id)
    if application.status != "returned":
        raise Conflict("not_returned")
    if not isinstance(form, dict):
        raise Invalid(details=[field_error("form", "wrong_type", message_key="type.object")])
    catalog = await snapshots.by_id(db, application.snapshot_id)
    subject = subject_of(
        catalog,
        service=application.subject_code if application.kind == "service" else None,
        bundle=application.subject_code if application.kind == "bundle" else None,
    )
    clean, errors = forms.validate({**application.form, **form}, subject.fields, catalog.elements)
    if errors:
        raise Invalid(errors[0]["code"] if len(errors) == 1 else None, details=errors)
    changed = sorted(k for k in clean if clean[k] != application.form.get(k))
    allowed = await _correctable(db, application, subject)
    refused = [k for k in changed if k not in allowed]
    if refused:
        raise Invalid(
            "field_not_returned",
            details=[field_error(f"form.{k}", "field_not_returned") for k in refused],
        )
    origins = dict(application.provenance or {})
    for name in changed:
        before = origins.get(name) or {}
        origins[name] = (
            {**before, "origin": "changed", "verified": False}
            if before.get("origin") in ("prefilled", "changed")
            else {"origin": "entered"}
        )
    await repo.update(
        db, application.id, {"form": clean, "provenance": origins, "updated_at": _now()}
    )
    resumed = await workflow.resume_returned(
        db,
        application_id=application.id,
        services=catalog.services,
        today=china_today(),
        calendar=calendar,
        officers=officers_of(db),
    )
    await refresh_due_date(db, application_id=application.id, calendar=calendar)
    await add_event(
        db, application.id, actor, "supplemented", {"fields": changed, "resumed": resumed}
    )
    await _roll_up(db, application, actor)
    await audit.record(
        db,
        actor=actor,
        action="application.supplemented",
        target_type="application",
        target_id=application.id,
        after={"fields": changed},
    )
    return await view(db, actor=actor, application_id=application.id)


async def withdraw(db: Db, *, actor: Account, application_id: str, reason: str) -> dict[str, Any]:
    """撤销: the applicant withdraws before a decision; every department stops."""
    await _own(db, actor, application_id)
    await repo.lock(db, application_id)
    application = await _own(db, actor, application_id)
    if application.status not in OPEN_STATUSES or any(
        b.status == "approved" for b in await workflow.branches(db, application.id)
    ):
        raise Conflict("not_withdrawable")  # 撤销 is only possible before any decision
    stopped = await workflow.stop_all(db, application_id=application.id, status="withdrawn")
    await add_event(
        db, application.id, actor, "withdrawn", {"reason": reason or None, "services": stopped}
    )
    await _roll_up(db, application, actor)
    await audit.record(
        db,
        actor=actor,
        action="application.withdrawn",
        target_type="application",
        target_id=application.id,
        after={"reason": reason or None},
    )
    return await view(db, actor=actor, application_id=application.id)


async def suspend_or_resume(
    db: Db,
    *,
    actor: Account,
    task_id: str,
    suspend: bool,
    reason: str,
    calendar: WorkdayCalendar,
) -> dict[str, Any]:
    """挂起 / 解挂 a task's branch: time for a hearing, inspection or expert review not counted."""
    if actor.kind != "staff" or not actor.department_code:
        raise NotFound()
    await lock_for_task(db, task_id)
    verb = workflow.suspend if suspend else workflow.unsuspend
    task = await verb(
        db,
        task_id=task_id,
        department_code=actor.department_code,
        roles=actor.roles,
        actor_id=actor.id,
        today=china_today(),
        calendar=calendar,
    )
    if not suspend:
        await refresh_due_date(db, application_id=task.application_id, calendar=calendar)
    kind = "suspended" if suspend else "resumed"
    await add_event(
        db,
        task.application_id,
        actor,
        f"branch_{kind}",
        {"service": task.service_code, "step": task.step_code, "reason": reason or None},
        branch_id=task.branch_id,
    )
    await audit.record(
        db,
        actor=actor,
        action=f"task.{'suspend' if suspend else 'resume'}",
        target_type="task",
        target_id=task_id,
        after={"application": task.application_id, "reason": reason or None},
    )
    application = await repo.get(db, task.application_id)
    assert application is not None
    view = await _render(db, application)
    branch = next(s for s in view["steps"] if s["id"] == task.branch_id)
    return {"task_id": task_id, "branch_status": branch["status"], "due_date": branch["due_date"]}


async def view_for_staff(
    db: Db, *, actor: Account, task_id: str, channel: str = "web"
) -> dict[str, Any]:
    """A task of my department with its application (as its applicant sees it), the task's
    history and the catalogue it was submitted under; another department's task is a 404.

    The look is logged for the applicant to see (谁查看了我的数据): a staff member's on the
    workbench, a department system's through the API."""
    if actor.kind != "staff" or not actor.department_code:
        raise NotFound()
    application_id = await workflow.application_of_task(db, task_id)
    if application_id is None:
        raise NotFound()
    history = await workflow.history(db, application_id)
    task = next((t for t in history if t.id == task_id), None)
    if (
        task is None
        or task.department_code != actor.department_code
        or task.role not in actor.roles
        or task.assignee_id not in (None, actor.id)  # 会签: each officer their own
    ):
        raise NotFound()
    row = await repo.get(db, application_id)
    assert row is not None
    case = {
        "task": task,
        "history": history,
        "view": await _render(db, row),
        "catalog": await snapshots.by_id(db, row.snapshot_id),
    }
    await end_reads(db)
    await exchange.log_access(
        db,
        subject_id=row.applicant_id,
        accessor_kind="system" if channel == "api" else "staff",
        department_code=actor.department_code,
        accessor_id=actor.id,
        accessor_role=task.role,
        elements=sorted({f.element for f in subject_of_row(case["catalog"], row).fields}),
        purpose="case_handling",
        target_type="application",
        target_id=row.id,
        target_label=row.tracking_no,
    )
    return case


def subject_of_row(catalog: Catalog, row: Any) -> Subject:
    """The service or bundle an application row is for."""
    return subject_of(
        catalog,
        service=row.subject_code if row.kind == "service" else None,
        bundle=row.subject_code if row.kind == "bundle" else None,
    )


async def catalog_of(db: Db, application_id: str) -> Catalog:
    """The catalogue an application was submitted under (its services as they were then)."""
    row = await repo.get(db, application_id)
    if row is None:
        raise NotFound()
    return await snapshots.by_id(db, row.snapshot_id)


async def tracking_nos(db: Db, application_ids: set[str]) -> dict[str, str]:
    """Tracking numbers of several applications, in one query (for a staff inbox)."""
    return await repo.tracking_nos(db, sorted(application_ids))


async def _correctable(db: Db, application: Any, subject: Subject) -> set[str]:
    """The merged-form fields a 补正 may change: those the returning officers named, else all
    fields of the services whose branches were returned."""
    returned = {
        b.id: b.service_code
        for b in await workflow.branches(db, application.id)
        if b.status == "returned"
    }
    named: set[str] = set()
    for event in await repo.events(db, application.id):
        if event.kind == "task_returned" and event.branch_id in returned:
            named.update(event.detail.get("corrections") or [])
    if named:
        return named
    by_code = {s.code: s for s in subject.services}
    return {
        subject.merged.sources[(code, field.name)]
        for code in returned.values()
        for field in by_code[code].form.fields
    }


async def refresh_due_date(db: Db, *, application_id: str, calendar: WorkdayCalendar) -> None:
    """Move the application's due date after a clock stopped and restarted: the latest due date
    of its running branches, and of the `after:` branches still waiting behind them."""
    branches = {b.service_code: b for b in await workflow.branches(db, application_id)}
    memo: dict[str, Any] = {}

    def finish(code: str) -> Any:
        if code not in memo:
            branch = branches[code]
            if branch.due_date is not None:
                memo[code] = branch.due_date
            else:
                start = max((finish(p) for p in branch.waits_for), default=china_today())
                memo[code] = calendar.add_workdays(start, branch.promised_limit_days)
        return memo[code]

    live = [
        c for c, b in branches.items() if b.status in ("active", "waiting", "suspended", "returned")
    ]
    if live:
        due = max(finish(c) for c in live)
        await repo.update(db, application_id, {"due_date": due, "updated_at": _now()})
