"""谁查看了我的数据: every look at my data (the platform fetching it from a department under my
consent, staff or a department's system opening my application), and my consents, each of which
I can withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.catalog.loader import Catalog
from yiwang.exchange import catalogue
from yiwang.exchange import service as exchange
from yiwang.kit.i18n import Lang, t
from yiwang.kit.messages import MESSAGES
from yiwang.prefill import service as prefill
from yiwang.web.pages import CsrfField, WebAccount, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import current_catalog, pick, read_flash, set_flash, to_login

router = APIRouter(include_in_schema=False)

PAGE = 50
WITHDRAWN = "consent_withdrawn"


def _named(lang: Lang, view: dict[str, Any], field: str) -> str | None:
    """A name the catalogue views give as name / name_en pairs (department_name, …)."""
    zh = view.get(f"{field}_name")
    if not zh:
        return None
    return str((lang == "en" and view.get(f"{field}_name_en")) or zh)


def _subject_name(catalog: Catalog, kind: str, code: str, lang: Lang) -> str:
    found = (catalog.bundles if kind == "bundle" else catalog.services).get(code)
    return pick(lang, found.name) if found else code


def _who(view: dict[str, Any], lang: Lang) -> str:
    """The department, and its system (the platform fetched from it), a member of its staff in
    their role, or the department's own system reading through the API."""
    department = _named(lang, view, "department")
    if view["accessor_kind"] == "platform":
        detail = _named(lang, view, "source")
    elif view["accessor_kind"] == "staff":
        detail = _named(lang, view, "role") or t("kind.staff", lang)
    else:
        detail = t("access.system", lang)
    return " · ".join(part for part in (department, detail) if part)


def _why(catalog: Catalog, view: dict[str, Any], lang: Lang) -> str:
    """For what: filling in which form, or handling which application."""
    label = view.get("target_label") or ""
    if view["purpose"] == "case_handling":
        return t("access.purpose.case_handling", lang, no=label)
    kind, _, code = label.partition(":")
    if view["purpose"] == "prefill" and kind in ("bundle", "service") and code:
        name = _subject_name(catalog, kind, code, lang)
        return t("access.purpose.prefill_for", lang, name=name)
    key = f"access.purpose.{view['purpose']}"
    return t(key, lang) if key in MESSAGES else str(view["purpose"])


def access_rows(catalog: Catalog, rows: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """The access log as the page shows it."""
    out = []
    for row in rows:
        view = catalogue.access_view(catalog, row)
        out.append(
            {
                "id": view["id"],
                "at": view["accessed_at"],
                "kind": view["accessor_kind"],
                "who": _who(view, lang),
                "what": [pick(lang, e) for e in view["elements"]],
                "why": _why(catalog, view, lang),
            }
        )
    return out


def consent_rows(catalog: Catalog, consents: list[dict[str, Any]], lang: Lang) -> list[Any]:
    """My consents as the page shows them: for what, covering which details, until when."""
    out = []
    for consent in consents:
        kind = "bundle" if "bundle" in consent else "service"
        elements = catalog.elements
        if consent["withdrawn_at"]:
            status = "withdrawn"
        else:
            status = "active" if consent["active"] else "expired"
        out.append(
            {
                "id": consent["id"],
                "name": _subject_name(catalog, kind, consent[kind], lang),
                "elements": [
                    pick(lang, elements[e].name) if e in elements else e
                    for e in consent["elements"]
                ],
                "given_at": consent["given_at"],
                "expires_at": consent["expires_at"],
                "withdrawn_at": consent["withdrawn_at"],
                "status": status,
            }
        )
    return out


@router.get("/me/data-access")
async def data_access_page(
    request: Request,
    db: DbDep,
    account: WebAccount,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """谁查看了我的数据, newest first (50 a page), and my consents."""
    if account is None:
        return to_login("/me/data-access")
    lang = request_lang(request)
    catalog = await current_catalog(db)
    rows = await exchange.accesses_of(db, subject_id=account.id, limit=PAGE, before_id=before)
    consents = await prefill.consents_of(db, actor=account)
    notice = read_flash(request) == [WITHDRAWN]
    context = {
        "rows": access_rows(catalog, rows, lang) if catalog else [],
        "older": rows[-1]["id"] if len(rows) == PAGE else None,
        "paged": before is not None,
        "consents": consent_rows(catalog, consents, lang) if catalog else [],
        "notice": notice,
    }
    response = render(request, "account/data_access.html", context, account=account)
    if notice:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


@router.post("/me/consents/{consent_id}/withdraw")
async def withdraw_consent(
    request: Request, consent_id: str, db: DbDep, account: WebAccount, csrf: CsrfField
) -> Response:
    """撤回授权: nothing more is fetched under it; what was submitted stays submitted."""
    check_csrf(request, csrf)
    if account is None:
        return to_login("/me/data-access")
    await prefill.withdraw_consent(db, actor=account, consent_id=consent_id)
    response = RedirectResponse("/me/data-access#consents", status_code=303)
    set_flash(request, response, WITHDRAWN)
    return response
