"""授权 before a form: which departments the platform would ask for what, for what purpose and for
how long; agreeing (all or some of it) fills the form in, declining leaves it to the person."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.applications import service as applications
from yiwang.catalog import snapshots
from yiwang.catalog.loader import Catalog
from yiwang.database import Db
from yiwang.errors import Invalid
from yiwang.identity.service import Account
from yiwang.prefill import service as prefill
from yiwang.web.pages import WebAccount, check_csrf
from yiwang.web.render import render
from yiwang.web.subjects import base_of, may_apply, subject_at, title_of
from yiwang.web.ui import to_login

router = APIRouter(include_in_schema=False)

DECLINED = "no"  # ?prefill=no: the person chose to fill the form in themselves
SENSITIVE = 4  # 敏感个人信息 (an element's sensitivity 4): said so beside its name


def secret_of(request: Request) -> bytes:
    """The key prefill tokens are signed with."""
    return str(request.app.state.settings.secret_key).encode()


def may_prefill(account: Account, subject: applications.Subject) -> bool:
    """People and businesses applying for what is meant for them; never staff."""
    return account.kind in ("citizen", "enterprise") and may_apply(account, subject)


async def fill(
    request: Request,
    *,
    catalog: Catalog,
    subject: applications.Subject,
    account: Account,
) -> dict[str, Any] | None:
    """The form filled in under the person's consent, or None when a consent is needed first.
    Nothing of the database is held while departments answer (see ``prefill.prefill``)."""
    try:
        return await prefill.prefill(
            request.app.state.engine,
            actor=account,
            catalog=catalog,
            subject=subject,
            hub=request.app.state.exchange,
            secret=secret_of(request),
            strict_audit=request.app.state.settings.strict_audit,
        )
    except prefill.ConsentRequired:
        return None


def _groups(
    rows: list[dict[str, Any]], subject: applications.Subject, lang: str
) -> list[dict[str, Any]]:
    """Elements grouped by the department and system they would come from, each in the order
    the form asks for it."""
    order: dict[str, int] = {}
    for index, field in enumerate(subject.fields):
        order.setdefault(field.element, index)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: order.get(r["element"], len(order))):
        group = groups.setdefault(
            (row["department"], row["source"]),
            {
                "department": row["department_name_en"] if lang == "en" else row["department_name"],
                "source": row["source_name_en"] if lang == "en" else row["source_name"],
                "id": f"consent-{row['source']}",
                "elements": [],
            },
        )
        group["elements"].append(
            {
                "code": row["element"],
                "name": row["name_en"] if lang == "en" else row["name"],
                "sensitive": row["sensitivity"] >= SENSITIVE,
            }
        )
    return list(groups.values())


def _page(
    request: Request,
    catalog: Catalog,
    subject: applications.Subject,
    account: Account,
    plan: prefill.Plan,
    *,
    chosen: set[str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = prefill.elements_view(catalog, plan)
    context = {
        "subject": subject,
        "subject_name": title_of(catalog, subject),
        "base": base_of(subject),
        "groups": _groups(rows, subject, request_lang(request)),
        "chosen": chosen if chosen is not None else {r["element"] for r in rows},
        "days": prefill.CONSENT_DAYS,
        "error": error,
        "declined": DECLINED,
    }
    return render(request, "apply/consent.html", context, status_code=status_code, account=account)


async def _needs_consent(
    db: Db, catalog: Catalog, subject: applications.Subject, account: Account
) -> prefill.Plan | None:
    """The plan a consent would cover, if one is needed and not yet given."""
    if not may_prefill(account, subject):
        return None
    plan = prefill.plan(catalog, subject=subject, account=account)
    if not plan.elements:
        return None
    if await prefill.covering_consent(db, actor=account, subject=subject) is not None:
        return None
    return plan


@router.get("/services/{code}/apply/consent")
@router.get("/bundles/{code}/apply/consent")
async def consent_page(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """授权: what would be fetched from whom, each item ticked; agree, share less, or decline."""
    form_url = request.url.path.removesuffix("/consent")
    if account is None:
        return to_login(form_url)
    _, catalog = await snapshots.current(db)
    subject = subject_at(request, catalog, code)
    plan = await _needs_consent(db, catalog, subject, account)
    if plan is None:  # nothing to consent to, or consented already
        return RedirectResponse(form_url, status_code=303)
    return _page(request, catalog, subject, account, plan)


@router.post("/services/{code}/apply/consent")
@router.post("/bundles/{code}/apply/consent")
async def give_consent(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """同意: a consent for the ticked items; then the form, filled in."""
    posted = await request.form()
    check_csrf(request, str(posted.get("csrf_token", "")))
    form_url = request.url.path.removesuffix("/consent")
    if account is None:
        return to_login(form_url)
    _, catalog = await snapshots.current(db)
    subject = subject_at(request, catalog, code)
    plan = await _needs_consent(db, catalog, subject, account)
    if plan is None:
        return RedirectResponse(form_url, status_code=303)
    chosen = [str(e) for e in posted.getlist("elements")]
    try:
        await prefill.give_consent(
            db,
            actor=account,
            catalog=catalog,
            subject=subject,
            purpose="prefill",
            elements=chosen,
        )
    except Invalid as exc:
        return _page(
            request,
            catalog,
            subject,
            account,
            plan,
            chosen=set(chosen),
            error=exc.message(request_lang(request)),
            status_code=422,
        )
    return RedirectResponse(form_url, status_code=303)
