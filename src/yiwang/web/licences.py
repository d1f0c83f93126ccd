"""我的证照: my electronic licences — what each says, its PDF, the page anyone can check it on —
and, on an application's page, the materials a licence stood in for and the licences it issued."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.applications.service import china_today
from yiwang.catalog import snapshots
from yiwang.catalog.loader import Catalog
from yiwang.certificates import service as certificates
from yiwang.kit.i18n import Lang, format_date, t
from yiwang.kit.validators import mask_id_number
from yiwang.web.pages import WebAccount
from yiwang.web.render import render
from yiwang.web.ui import as_date, pick, to_login

router = APIRouter(include_in_schema=False)

CERTIFICATE_PREFIX = "certificate:"


def _masked(licence: Mapping[str, Any]) -> str:
    """A person's ID number shows only its ends; a business's credit code shows whole."""
    code = str(licence["holder_code"])
    if licence.get("holder_code_type") != "id_number":
        return code
    try:
        return mask_id_number(code)
    except ValueError:
        return code[:2] + "*" * max(len(code) - 4, 0) + code[-2:]


def item_value(catalog: Catalog | None, element: str, value: Any, lang: Lang) -> str:
    """A licence's data item as a person reads it: an option by its name, a date in words, an
    ID number masked."""
    found = catalog.elements.get(element) if catalog else None
    if found is None or value is None:
        return "" if value is None else str(value)
    if found.type == "enum":
        option = next((o for o in found.options or [] if o.value == value), None)
        return pick(lang, option.name) if option else str(value)
    if found.type == "date":
        day = as_date(value)
        return format_date(day, lang) if day else str(value)
    if found.type == "boolean":
        return t("answer.yes" if value else "answer.no", lang)
    if found.type == "id_number":
        return _masked({"holder_code": value, "holder_code_type": "id_number"})
    return str(value)


def shown(licence: Mapping[str, Any], lang: Lang, catalog: Catalog | None = None) -> dict[str, Any]:
    """A licence (as certificates.view gives it) in the reader's language."""
    until = as_date(licence["valid_until"])
    status = licence["status"]
    if status == "valid" and until is not None and until < china_today():
        status = "expired"
    return {
        **licence,
        "state": status,
        "holder_code": _masked(licence),
        "type_words": licence["type_name_en"] if lang == "en" else licence["type_name"],
        "issuer_words": licence["issuer_name_en"] if lang == "en" else licence["issuer_name"],
        "issued": as_date(licence["issued_on"]),
        "until": until,
        "item_rows": [
            (
                item["name_en"] if lang == "en" else item["name"],
                item_value(catalog, item["element"], item["value"], lang),
            )
            for item in licence["items"]
        ],
        "pdf": f"/certificates/{licence['id']}/pdf",
    }


@router.get("/certificates")
async def my_licences(request: Request, db: DbDep, account: WebAccount) -> Response:
    """My licences, newest first."""
    if account is None:
        return to_login("/certificates")
    _, catalog = await snapshots.current(db)
    lang = request_lang(request)
    items = [
        shown(licence, lang, catalog)
        for licence in await certificates.mine(db, account_id=account.id, catalog=catalog)
    ]
    return render(request, "certificates/mine.html", {"items": items}, account=account)


@router.get("/certificates/{certificate_id}/pdf")
async def licence_pdf(
    request: Request, certificate_id: str, db: DbDep, account: WebAccount
) -> Response:
    """下载PDF: the licence with its QR code, for its holder only."""
    if account is None:
        return to_login("/certificates")
    row = await certificates.get_mine(db, account_id=account.id, certificate_id=certificate_id)
    body = await certificates.pdf_of(db, row=row)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{row["identifier"]}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def materials(catalog: Catalog, view: Mapping[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """The application's materials and how each is met: 免提交 by a licence (named, with its
    identifier and where to check it) or by the departments' shared data, or by the applicant."""
    out = []
    for material in view.get("materials") or []:
        service = catalog.services.get(material["service"])
        defined = next(
            (m for m in service.materials if m.code == material["code"]) if service else (), None
        )
        source = (defined.provided_by or "") if defined else ""
        kind = catalog.certificate_types.get(source.removeprefix(CERTIFICATE_PREFIX))
        out.append(
            {
                "code": material["code"],
                "service": pick(lang, service.name) if service else material["service"],
                "name": material["name_en"] if lang == "en" else material["name"],
                "required": material["required"],
                "met_by": material["met_by"],
                "licence_type": pick(lang, kind.name) if kind else None,
                "certificate": material.get("certificate"),
            }
        )
    return out


def issued(catalog: Catalog, view: Mapping[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """The licences this application's approvals issued."""
    return [shown(licence, lang, catalog) for licence in view.get("certificates") or []]
