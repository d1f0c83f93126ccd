"""The demo county's departments come from definitions/ and are validated."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from yiwang.catalog.definitions import DefinitionError, load_departments
from yiwang.config import ROOT
from yiwang.kit.validators import is_valid_uscc

pytestmark = pytest.mark.anyio

COUNTY_DEPARTMENTS = (
    "市场监督管理",
    "税务",
    "公安",
    "人力资源和社会保障",
    "卫生健康",
    "医疗保障",
    "消防救援",
    "城市管理",
    "生态环境",
    "住房和城乡建设",
    "交通运输",
    "水",
    "教育",
    "民政",
)


async def test_departments_api_lists_the_county_departments(client: httpx.AsyncClient) -> None:
    departments = (await client.get("/api/v1/departments")).json()
    services = (await client.get("/api/v1/services")).json()
    handling = {s["department"]["code"] for s in services}
    names = [d["name"] for d in departments]
    for needed in COUNTY_DEPARTMENTS:
        assert any(needed in name for name in names), needed
    for department in departments:
        assert is_valid_uscc(department["uscc"])
        assert department["region_code"] == "330523"
        roles = {r["code"] for r in department["roles"]}
        if department["code"] in handling:  # departments that handle services
            assert {"reviewer", "approver"} <= roles
        assert department["name_en"]
    hotline = next(d for d in departments if d["code"] == "hotline")
    assert {r["code"] for r in hotline["roles"]} == {"dispatcher", "supervisor"}


async def test_one_department_and_an_unknown_one(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/departments/fire")).json()["name"] == "安吉县消防救援大队"
    response = await client.get(
        "/api/v1/departments/space-agency", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No such department: space-agency"


def _write(tmp: Path, departments: str) -> Path:
    (tmp / "region.yaml").write_text(
        (ROOT / "definitions" / "region.yaml").read_text("utf-8"), "utf-8"
    )
    (tmp / "departments.yaml").write_text(departments, "utf-8")
    return tmp


ROLES = "[{code: reviewer, name: {zh: 审, en: R}}]"


def _one(
    code: str = "tax",
    name: str = "{zh: 税务局, en: Tax}",
    uscc: str = "11330523002500025B",
    roles: str = ROLES,
) -> str:
    entry = f"{{code: {code}, name: {name}, uscc: {uscc}, roles: {roles}}}"
    return f"version: 1\ndepartments:\n  - {entry}\n"


@pytest.mark.parametrize(
    ("yaml_text", "complaint"),
    [
        (_one(uscc="11330523002500025C"), "credit code"),
        (_one(code="Tax!"), "code"),
        (_one(name="{zh: 税务局}"), "name.en"),
        (_one(roles="[]"), "roles"),
        ("version: 1\ndepartments: [\n", "not valid YAML"),
    ],
)
def test_bad_definitions_are_refused_with_the_reason(
    tmp_path: Path, yaml_text: str, complaint: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_departments(_write(tmp_path, yaml_text))
    assert complaint in str(caught.value)
