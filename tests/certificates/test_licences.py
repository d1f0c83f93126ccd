"""Electronic licences end to end: issued on approval, signed, listed, rendered, verified by
anyone, revoked, and reused instead of paper in 开餐馆一件事."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sys
from typing import Any

import httpx
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.applications.helpers import answers, bundle_form, open_tasks, staff
from tests.conftest import sign_in
from yiwang import jobs
from yiwang.catalog import snapshots
from yiwang.certificates import identifiers, pdf
from yiwang.certificates import service as certificates
from yiwang.certificates.keys import KeyRing
from yiwang.config import Settings
from yiwang.database import transaction
from yiwang.kit.validators import is_valid_uscc

pytestmark = pytest.mark.anyio


async def open_restaurant(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    """citizen1 applies to open a restaurant; the business does not exist yet (no credit code)."""
    headers = await sign_in(client, "citizen1")
    form = answers(await bundle_form(client, "open-restaurant"))
    form.pop("uscc")
    form["enterprise_name"] = "安吉李记小厨餐饮有限公司"
    response = await client.post(
        "/api/v1/applications", json={"bundle": "open-restaurant", "form": form}, headers=headers
    )
    assert response.status_code == 201, response.text
    return headers, response.json()


async def approve_service(
    client: httpx.AsyncClient, department: str, application_id: str, service: str
) -> None:
    officer = await staff(client, department)
    while tasks := [
        t for t in await open_tasks(client, officer, application_id) if t["service"] == service
    ]:
        for task in tasks:
            response = await client.post(
                f"/api/v1/tasks/{task['id']}/decision",
                json={"decision": "approve", "comment": "符合条件"},
                headers=officer,
            )
            assert response.status_code == 200, response.text


async def business_licence(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    headers, application = await open_restaurant(client)
    await approve_service(client, "samr", application["id"], "samr-business-licence")
    mine = (await client.get("/api/v1/certificates", headers=headers)).json()
    assert len(mine) == 1
    return headers, mine[0]


async def test_approval_issues_a_signed_licence_with_a_gb_t_36904_identifier(
    client: httpx.AsyncClient,
) -> None:
    headers, licence = await business_licence(client)
    assert licence["type_name"] == "营业执照"
    assert identifiers.is_valid(licence["identifier"])
    assert licence["identifier"].startswith(
        "1.2.156.3005.2.11100000000013338W011.11330523002500017G."
    )
    assert licence["holder"] == "安吉李记小厨餐饮有限公司"
    assert licence["holder_code_type"] == "uscc"
    assert is_valid_uscc(licence["holder_code"])  # the new business got its credit code
    assert licence["issuer_name"] == "安吉县市场监督管理局"
    assert licence["valid_until"] is None  # 长期
    items = {i["element"]: i["value"] for i in licence["items"]}
    assert items["enterprise.uscc"] == licence["holder_code"]
    other = await sign_in(client, "citizen2")
    assert (
        await client.get(f"/api/v1/certificates/{licence['id']}", headers=other)
    ).status_code == 404
    assert (await client.get("/api/v1/certificates", headers=other)).json() == []


async def test_anyone_can_verify_and_tampering_is_caught(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    _, licence = await business_licence(client)
    path = licence["verify_url"].split("://", 1)[1].split("/", 1)[1]
    as_json = await client.get("/" + path, headers={"Accept": "application/json"})
    assert as_json.status_code == 200
    result = as_json.json()
    assert result["valid"] is True
    assert result["status"] == "valid"
    assert result["identifier"] == licence["identifier"]
    page = await client.get("/" + path)
    assert "✓ 有效" in page.text and "安吉县市场监督管理局" in page.text
    async with transaction(engine) as db:
        from sqlalchemy import update

        from yiwang.certificates.models import certificates as table

        await db.execute(
            update(table)
            .where(table.c.id == licence["id"])
            .values(holder_name="安吉王记小厨餐饮有限公司")
        )
        db.info["yiwang_tx"].exempt = True  # the tampering itself, behind the platform's back
    tampered = (await client.get("/" + path, headers={"Accept": "application/json"})).json()
    assert tampered["valid"] is False
    assert tampered["status"] == "invalid"
    assert "改动" in (await client.get("/" + path)).text


async def test_the_issuing_department_revokes_and_verification_says_so_at_once(
    client: httpx.AsyncClient,
) -> None:
    holder, licence = await business_licence(client)
    url = f"/api/v1/certificates/{licence['id']}"
    assert (
        await client.post(f"{url}/revoke", json={"reason": "冒用身份"}, headers=holder)
    ).status_code == 404
    police = await staff(client, "police")
    assert (
        await client.post(f"{url}/revoke", json={"reason": "冒用身份"}, headers=police)
    ).status_code == 404
    samr = await staff(client, "samr")
    empty = await client.post(f"{url}/revoke", json={"reason": ""}, headers=samr)
    assert empty.status_code == 422
    revoked = await client.post(
        f"{url}/revoke", json={"reason": "以欺骗手段取得登记"}, headers=samr
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    result = (await client.get(f"{url}/verify")).json()
    assert result["status"] == "revoked"
    assert result["valid"] is False
    assert result["revoked_reason"] == "以欺骗手段取得登记"


async def test_a_licence_past_its_validity_is_expired(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    headers, application = await open_restaurant(client)
    await approve_service(client, "samr", application["id"], "samr-business-licence")
    await approve_service(client, "samr", application["id"], "samr-food-permit")
    mine = {
        c["type"]: c for c in (await client.get("/api/v1/certificates", headers=headers)).json()
    }
    permit = mine["food_business_permit"]
    assert permit["valid_until"] is not None  # five years
    until = dt.date.fromisoformat(permit["valid_until"])
    async with transaction(engine, write=False) as db:
        _, catalog = await snapshots.current(db)
        ring = KeyRing(settings.keys_dir)
        on_last_day = await certificates.verify(
            db, keyring=ring, catalog=catalog, certificate_id=permit["id"], today=until
        )
        day_after = await certificates.verify(
            db,
            keyring=ring,
            catalog=catalog,
            certificate_id=permit["id"],
            today=until + dt.timedelta(days=1),
        )
    assert on_last_day["status"] == "valid"
    assert day_after["status"] == "expired"
    assert day_after["valid"] is False


async def test_licences_signed_by_a_retired_key_still_verify(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    _, first = await business_licence(client)
    KeyRing(settings.keys_dir).rotate("samr")
    headers, application = await open_restaurant(client)
    await approve_service(client, "samr", application["id"], "samr-business-licence")
    mine = (await client.get("/api/v1/certificates", headers=headers)).json()
    second = next(c for c in mine if c["id"] != first["id"])
    checks = [
        (await client.get(f"/api/v1/certificates/{c['id']}/verify")).json() for c in (first, second)
    ]
    assert [c["status"] for c in checks] == ["valid", "valid"]
    assert checks[0]["key_id"] != checks[1]["key_id"]
    keys = (await client.get("/api/v1/certificates/keys")).json()["keys"]
    samr = {k["key_id"]: k["status"] for k in keys if k["department"] == "samr"}
    assert samr == {checks[0]["key_id"]: "retired", checks[1]["key_id"]: "active"}


async def test_the_pdf_is_rendered_by_a_job_and_reads_in_chinese(
    client: httpx.AsyncClient, engine: AsyncEngine, app: Any
) -> None:
    headers, licence = await business_licence(client)
    await jobs.drain(app.state.engine)  # the server runs the job after the approval commits
    await jobs.run_pending(engine)  # and a second run finds the PDF there: still one
    async with transaction(engine, write=False) as db:
        from sqlalchemy import func, select

        from yiwang.certificates.models import certificate_pdfs

        stored = (await db.execute(select(func.count()).select_from(certificate_pdfs))).scalar()
    assert stored == 1
    response = await client.get(f"/api/v1/certificates/{licence['id']}/pdf", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "营业执照" in text
    assert "安吉李记小厨餐饮有限公司" in text
    assert licence["identifier"] in text
    assert "此件由安吉县市场监督管理局提供，仅供办理政务服务事项时使用" in text
    assert licence["verify_url"] in text
    # A phone's camera on the printed page: the QR code opens the licence's verification.
    picture = pypdfium2.PdfDocument(response.content)[0].render(scale=2).to_pil()
    scanned = [(code.format, code.text) for code in zxingcpp.read_barcodes(picture)]
    assert scanned == [(zxingcpp.BarcodeFormat.QRCode, licence["verify_url"])]
    other = await sign_in(client, "citizen2")
    theirs = await client.get(f"/api/v1/certificates/{licence['id']}/pdf", headers=other)
    assert theirs.status_code == 404


async def test_licences_drawn_at_once_in_several_threads_each_come_out_whole() -> None:
    # Render jobs draw in threads, several at a time on a busy day. Each licence names its own
    # holder in characters of its own, so each PDF embeds a different subset of the one font.
    # The GIL switching threads every microsecond makes an unsafe interleaving near certain.
    if pdf.font_name(None) == pdf.FALLBACK:
        pytest.skip("no CJK TrueType font to embed (.ci/run installs fonts-wqy-microhei)")

    def holder(i: int) -> str:
        return "".join(chr(0x4E00 + (i * 37 + k * 11) % 6000) for k in range(24)) + "有限公司"

    def draw(i: int) -> bytes:
        return pdf.render(
            title="营业执照",
            title_en="Business licence",
            identifier=f"{i:032d}",
            holder=holder(i),
            holder_code="91330523MA2B3C4D5E",
            issuer="安吉县市场监督管理局",
            issued_on="2026-11-27",
            valid_until=None,
            items=[("经营场所", "安吉县递铺街道" + holder(i + 1000)[:12])],
            verify_url=f"https://yiwang.example/verify/{i}",
        )

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        drawn = await asyncio.gather(
            *(asyncio.to_thread(draw, i) for i in range(48)), return_exceptions=True
        )
    finally:
        sys.setswitchinterval(before)
    failed = [repr(d) for d in drawn if isinstance(d, BaseException)]
    assert failed == []
    for i, document in enumerate(drawn):
        assert isinstance(document, bytes)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
        assert holder(i) in text.replace("\n", "")


async def test_open_restaurant_reuses_the_business_licence_instead_of_paper(
    client: httpx.AsyncClient,
) -> None:
    headers, application = await open_restaurant(client)
    bundle = (await client.get("/api/v1/bundles/open-restaurant")).json()
    assert bundle["burden"]["after"]["materials"] < bundle["burden"]["before"]["materials"]
    await approve_service(client, "samr", application["id"], "samr-business-licence")
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=headers)).json()
    licence = next(c for c in view["certificates"] if c["type"] == "business_licence")
    material = next(
        m
        for m in view["materials"]
        if m["service"] == "samr-food-permit" and m["code"] == "business-licence"
    )
    assert material["met_by"] == "certificate"
    assert material["certificate"]["identifier"] == licence["identifier"]
    # The food permit's credit code is the new business's, filled in from the licence.
    assert view["form"]["uscc"] == licence["holder_code"]
    assert view["provenance"]["uscc"]["origin"] == "certificate"
    timeline = [e["kind"] for e in view["timeline"]]
    assert "certificate_issued" in timeline
    assert "licence_attached" in timeline
    # A later application of the same holder gets the licence at once, at submission.
    schema = (await client.get("/api/v1/services/samr-food-permit")).json()["form_schema"]
    later = await client.post(
        "/api/v1/applications",
        json={"service": "samr-food-permit", "form": answers(schema) | {"uscc": None}},
        headers=headers,
    )
    assert later.status_code == 201, later.text
    attached = next(m for m in later.json()["materials"] if m["code"] == "business-licence")
    assert attached["certificate"]["identifier"] == licence["identifier"]
    assert later.json()["form"]["uscc"] == licence["holder_code"]
