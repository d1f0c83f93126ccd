"""Electronic licences in an application's life: issued when a branch is approved, and attached
instead of paper wherever a later service asks for a licence the applicant holds (免证办)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa

from yiwang.applications import repository as repo
from yiwang.applications.models import application_materials
from yiwang.catalog.loader import Catalog
from yiwang.catalog.subjects import Subject
from yiwang.certificates import service as certificates
from yiwang.database import Db

PREFIX = "certificate:"


def _values(subject: Subject, form: dict[str, Any]) -> dict[str, Any]:
    """The form's answers by data element."""
    return {f.element: form[f.name] for f in subject.fields if form.get(f.name) not in (None, "")}


async def issue_for_branch(
    db: Db,
    *,
    catalog: Catalog,
    subject: Subject,
    application: Any,
    service_code: str,
    branch_id: str,
    today: dt.date,
) -> dict[str, Any] | None:
    """签发 the approved service's licence, if it has one; what the issuing assigned (a new
    credit code) is written into the application's empty fields for the services still to come."""
    service = catalog.services[service_code]
    kind = catalog.certificate_types.get(service.result.certificate_type or "")
    keyring = certificates.Settings.keyring
    if kind is None or keyring is None:
        return None
    form = dict(application.form)
    issued = await certificates.issue(
        db,
        catalog=catalog,
        keyring=keyring,
        kind=kind,
        holder_account_id=application.applicant_id,
        values=_values(subject, form),
        today=today,
        application_id=application.id,
        branch_id=branch_id,
    )
    filled = {
        f.name: issued["data"][f.element]
        for f in subject.fields
        if not form.get(f.name) and f.element in issued["data"]
    }
    if filled:
        await _fill(db, application.id, filled, issued)
    await _event(
        db,
        application.id,
        branch_id,
        "certificate_issued",
        {
            "service": service_code,
            "certificate_id": issued["id"],
            "identifier": issued["identifier"],
            "type": kind.code,
            "filled": sorted(filled),
        },
    )
    return issued


def wanted_types(catalog: Catalog, service_codes: list[str]) -> set[str]:
    """The licence types these services' materials can be met by."""
    return {
        material.provided_by[len(PREFIX) :]
        for code in service_codes
        for material in catalog.services[code].materials
        if (material.provided_by or "").startswith(PREFIX)
    }


@dataclasses.dataclass
class Attachment:
    """What the applicant's licences give an application: materials met, empty fields filled."""

    materials: list[dict[str, Any]]
    attached: list[dict[str, Any]]
    filled: dict[str, Any]
    source: dict[str, Any] | None  # the licence the filled values are credited to

    def events(self, application_id: str) -> list[dict[str, Any]]:
        return [
            repo.event_row(
                application_id, "licence_attached", entry | {"filled": sorted(self.filled)}
            )
            for entry in self.attached
        ]


def plan_attachment(
    *,
    catalog: Catalog,
    subject: Subject,
    application_id: str,
    service_codes: list[str],
    form: dict[str, Any],
    held: dict[str, dict[str, Any] | None],
    done: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> Attachment:
    """免证办, decided: which materials the held licences (by type) meet, and which empty fields
    of the form their data fills."""
    attachment = Attachment([], [], {}, None)
    for code in service_codes:
        for material in catalog.services[code].materials:
            by = material.provided_by or ""
            if not by.startswith(PREFIX) or (code, material.code) in done:
                continue
            licence = held.get(by[len(PREFIX) :])
            if licence is None:
                continue
            attachment.materials.append(
                {
                    "application_id": application_id,
                    "service_code": code,
                    "material_code": material.code,
                    "certificate_id": licence["id"],
                    "attached_at": dt.datetime.now(dt.UTC),
                }
            )
            for field in subject.fields:
                value = licence["data"].get(field.element)
                if (
                    value not in (None, "")
                    and not form.get(field.name)
                    and field.name not in attachment.filled
                ):
                    attachment.filled[field.name] = value
            attachment.attached.append(
                {
                    "service": code,
                    "material": material.code,
                    "certificate_id": licence["id"],
                    "identifier": licence["identifier"],
                }
            )
            if attachment.source is None:
                attachment.source = licence
    if not attachment.attached:
        attachment.filled = {}
    return attachment


async def attach_held(
    db: Db,
    *,
    catalog: Catalog,
    subject: Subject,
    application_id: str,
    applicant_id: str,
    service_codes: list[str],
    today: dt.date,
) -> list[dict[str, Any]]:
    """免证办: attach the applicant's valid licences to these services' materials that a licence
    provides, and fill the form's empty fields from them; returns what was attached."""
    current = await repo.get(db, application_id)
    assert current is not None
    done = {
        (r.service_code, r.material_code)
        for r in await db.execute(
            sa.select(application_materials).where(
                application_materials.c.application_id == application_id
            )
        )
    }
    held = {
        kind: await certificates.valid_of_type(db, account_id=applicant_id, kind=kind, today=today)
        for kind in sorted(wanted_types(catalog, service_codes))
    }
    attachment = plan_attachment(
        catalog=catalog,
        subject=subject,
        application_id=application_id,
        service_codes=service_codes,
        form=dict(current.form),
        held=held,
        done=done,
    )
    if attachment.materials:
        await db.execute(sa.insert(application_materials), attachment.materials)
    if attachment.filled and attachment.source is not None:
        await _fill(db, application_id, attachment.filled, attachment.source)
    await repo.add_events(db, attachment.events(application_id))
    return attachment.attached


def filled_in(
    form: dict[str, Any],
    provenance: dict[str, Any] | None,
    filled: dict[str, Any],
    licence: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form with a licence's values in its empty fields, and their provenance."""
    origins = dict(provenance or {})
    for name in filled:
        origins[name] = {
            "origin": "certificate",
            "certificate_id": licence["id"],
            "identifier": licence["identifier"],
            "verified": True,
        }
    return dict(form) | filled, origins


async def _fill(
    db: Db, application_id: str, filled: dict[str, Any], licence: dict[str, Any]
) -> None:
    """Write values a licence gives into the form's empty fields, with their provenance."""
    current = await repo.get(db, application_id)
    assert current is not None
    form, origins = filled_in(current.form, current.provenance, filled, licence)
    await repo.update(db, application_id, {"form": form, "provenance": origins})


@functools.cache
def materials_query() -> sa.Select[Any]:
    """An application's materials (bound as ``application_id``)."""
    return sa.select(application_materials).where(
        application_materials.c.application_id == sa.bindparam("application_id", type_=sa.String)
    )


async def materials_of(db: Db, *, catalog: Catalog, application_id: str) -> list[dict[str, Any]]:
    """Each material of the application's services: attached licence, shared data, or to provide."""
    rows = await db.execute(materials_query(), {"application_id": application_id})
    return [dict(r._mapping) for r in rows]


async def _event(
    db: Db, application_id: str, branch_id: str | None, kind: str, detail: dict[str, Any]
) -> None:
    await repo.add_events(db, [repo.event_row(application_id, kind, detail, branch_id=branch_id)])
