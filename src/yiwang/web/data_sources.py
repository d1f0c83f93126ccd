"""数据质量 for staff: the department systems the platform reads (政务数据资源目录), and for each
one what the last 30 days of reading it took — records and values read, values cleaned by which
rule, values refused and why, reads that failed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.catalog import snapshots
from yiwang.errors import NotFound
from yiwang.exchange import catalogue
from yiwang.exchange import service as exchange
from yiwang.identity.service import Account
from yiwang.kit.i18n import Lang, t
from yiwang.kit.messages import MESSAGES
from yiwang.web.pages import WebAccount
from yiwang.web.render import render
from yiwang.web.ui import pick, to_login

router = APIRouter(include_in_schema=False)

DAYS = 30
CHINA = dt.timezone(dt.timedelta(hours=8))
TOTALS = (
    "reads",
    "records_read",
    "values_read",
    "values_cleaned",
    "values_rejected",
    "failed_reads",
)


def _require_staff(account: Account) -> None:
    """Staff and administrators; anyone else finds nothing here."""
    if account.kind not in ("staff", "admin"):
        raise NotFound()


def phrase(prefix: str, code: str, lang: Lang) -> str:
    """A rule's, reason's or status's plain words; its code when it has none yet."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in MESSAGES else code


def _by(prefix: str, counts: dict[str, int], lang: Lang) -> list[dict[str, Any]]:
    return [
        {"code": code, "phrase": phrase(prefix, code, lang), "count": count}
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@router.get("/work/data-sources")
async def sources_page(request: Request, db: DbDep, account: WebAccount) -> Response:
    """The sources: who provides each, how it is shared, how often it changes, how it is read."""
    if account is None:
        return to_login("/work/data-sources")
    _require_staff(account)
    lang = request_lang(request)
    _, catalog = await snapshots.current(db)
    rows = []
    for source in catalog.sources.values():
        view = catalogue.source_view(catalog, source)
        rows.append(
            {
                "code": source.code,
                "name": pick(lang, view),
                "provider": pick(
                    lang, {"name": view["provider_name"], "name_en": view["provider_name_en"]}
                ),
                "sharing": phrase("sharing", source.sharing, lang),
                "cycle": phrase("cycle", source.update_cycle, lang),
                "connector": phrase("connector", source.connector, lang),
                "elements": [
                    pick(lang, catalog.elements[e].name) if e in catalog.elements else e
                    for e in source.elements
                ],
            }
        )
    return render(request, "work/sources.html", {"rows": rows}, account=account)


@router.get("/work/data-sources/{code}/quality")
async def quality_page(
    request: Request,
    code: str,
    db: DbDep,
    account: WebAccount,
    days: Annotated[int, Query(ge=1, le=366)] = DAYS,
) -> Response:
    """One source's data quality over the last `days` days (30 unless asked)."""
    if account is None:
        return to_login(request.url.path)
    _require_staff(account)
    lang = request_lang(request)
    _, catalog = await snapshots.current(db)
    source = catalogue.source_of(catalog, code)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    report = await exchange.quality_of(db, source=source.code, since=since)
    department = catalog.departments[source.provider]
    context = {
        "source": source,
        "department": department,
        "days": days,
        "since": since.astimezone(CHINA).date(),
        "totals": [(name, report[name]) for name in TOTALS],
        "cleaned": _by("rule", report["cleaned_by_rule"], lang),
        "rejected": _by("rejection", report["rejected_by_rule"], lang),
        "failed": _by("failure", report["failed_by_status"], lang),
    }
    return render(request, "work/quality.html", context, account=account)
