"""Services and bundles are data: served as guides, linted, and reloaded without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from tests.applications.helpers import submit_bundle
from tests.conftest import sign_in
from yiwang.catalog import snapshots
from yiwang.catalog.lint import lint
from yiwang.catalog.loader import load_catalog
from yiwang.config import ROOT
from yiwang.database import transaction

pytestmark = pytest.mark.anyio
GUIDE_FIELDS = {
    "name",
    "department",
    "item_type_code",
    "item_kind",
    "legal_limit_days",
    "promised_limit_days",
    "online",
    "visits",
    "fee",
    "conditions",
    "process",
    "materials",
    "result",
    "phones",
    "legal_basis",
    "form_schema",
    "workflow",
}


async def test_the_region_offers_real_service_guides(client: httpx.AsyncClient) -> None:
    services = (await client.get("/api/v1/services")).json()
    assert len(services) >= 15
    assert len({s["department"]["code"] for s in services}) >= 7
    for summary in services:
        guide = (await client.get(f"/api/v1/services/{summary['code']}")).json()
        assert set(guide) >= GUIDE_FIELDS, summary["code"]
        assert guide["promised_limit_days"] <= guide["legal_limit_days"]
        schema = guide["form_schema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert all("x-element" in p for p in schema["properties"].values())
    missing = await client.get("/api/v1/services/no-such", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No such service: no-such"


async def test_a_guide_the_client_already_has_is_not_sent_again(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/api/v1/services/tax-registration", "/api/v1/bundles/open-restaurant"):
        first = await client.get(path)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == etag
        assert (await client.get(path, headers={"If-None-Match": '"other"'})).json() == (
            first.json()
        )


async def test_a_bundle_asks_each_thing_once_and_reports_its_burden(
    client: httpx.AsyncClient,
) -> None:
    bundle = (await client.get("/api/v1/bundles/open-restaurant")).json()
    assert bundle["name"] == "开餐馆一件事"
    services = {s["code"]: s for s in bundle["services"]}
    assert services["samr-food-permit"]["after"] == ["samr-business-licence"]
    elements = [p["x-element"] for p in bundle["form_schema"]["properties"].values()]
    assert len(elements) == len(set(elements))  # one field per data element
    before, after = bundle["burden"]["before"], bundle["burden"]["after"]
    assert after["fields"] == len(elements) < before["fields"]
    assert after["materials"] < before["materials"]
    assert after["promised_limit_days"] == bundle["promised_limit_days"]
    assert after["promised_limit_days"] < before["promised_limit_days"]
    listed = (await client.get("/api/v1/bundles")).json()
    assert {"open-restaurant", "newborn"} <= {b["code"] for b in listed}
    assert len(listed) >= 3


def _copy_definitions(tmp_path: Path) -> Path:
    target = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_the_shipped_catalogue_lints_clean() -> None:
    assert [p for p in lint(load_catalog(ROOT / "definitions")) if p.severity == "error"] == []


@pytest.mark.parametrize(
    ("file", "change", "code"),
    [
        (
            "services/tax-registration.yaml",
            lambda d: d["workflow"]["steps"][0].update(role="astronaut"),
            "role_nobody_holds",
        ),
        (
            "services/samr-food-permit.yaml",
            lambda d: d["workflow"]["steps"][0].update(next=None),
            "unreachable_step",
        ),
        (
            "services/fire-safety-commitment.yaml",
            lambda d: d["form"]["fields"][0].update(element="person.shoe_size"),
            "field_without_element",
        ),
        (
            "services/fire-safety-commitment.yaml",
            lambda d: d["form"]["fields"][0].update(name="enterprise_name", element="person.name"),
            "merged_field_conflict",
        ),
        (
            "services/health-birth-certificate.yaml",
            lambda d: d["materials"][1].update(provided_by="person.shoe_size"),
            "material_source_missing",
        ),
        (
            "data-sources.yaml",
            lambda d: d["sources"][0]["fields"][0].update(element="person.shoe_size"),
            "source_field_without_element",
        ),
        (
            "data-sources.yaml",
            lambda d: d["sources"][5]["fields"][1].update(values={"M": "male"}),
            "source_value_not_an_option",
        ),
    ],
)
def test_lint_finds_what_would_break(tmp_path: Path, file: str, change, code: str) -> None:
    folder = _copy_definitions(tmp_path)
    _edit(folder / file, change)
    found = {p.code for p in lint(load_catalog(folder)) if p.severity == "error"}
    assert code in found


async def test_a_new_version_loads_without_a_restart_and_old_applications_keep_theirs(
    client: httpx.AsyncClient, engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "RECHECK_SECONDS", 0.0)
    citizen = await sign_in(client, "citizen1")
    submitted = (await submit_bundle(client, citizen, "open-restaurant")).json()
    before = await client.get("/api/v1/services/tax-registration")
    folder = _copy_definitions(tmp_path)
    _edit(
        folder / "services" / "tax-registration.yaml",
        lambda d: d["name"].update(zh="新办纳税人套餐（新版）"),
    )
    async with transaction(engine) as db:
        result = await snapshots.load(db, actor=None, directory=folder)
    assert result.new
    # A client holding the old guide is not told it is still current.
    changed = await client.get(
        "/api/v1/services/tax-registration", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert changed.status_code == 200
    guide = changed.json()
    assert guide["name"] == "新办纳税人套餐（新版）"
    kept = (await client.get(f"/api/v1/applications/{submitted['id']}", headers=citizen)).json()
    tax = next(s for s in kept["steps"] if s["service"]["code"] == "tax-registration")
    assert tax["service"]["name"] != "新办纳税人套餐（新版）"
    async with transaction(engine) as db:
        assert not (await snapshots.load(db, actor=None, directory=folder)).new
