"""Open311 GeoReport v2, every call, in JSON and XML, with bad input in the spec's error shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from tests.conftest import sign_in

pytestmark = pytest.mark.anyio
BASE = "/open311/v2"
LIGHT = {
    "service_code": "urban.street_light",
    "lat": "30.6388",
    "long": "119.6802",
    "address_string": "安吉县递铺街道胜利西路88号",
    "description": "路灯不亮三天了，电话13905721001联系我",
    "first_name": "明",
    "last_name": "李",
    "email": "liming@example.cn",
    "phone": "13905721001",
    "attribute[kind]": "complaint",
}


async def post(client: httpx.AsyncClient, fmt: str = "json", **form: Any) -> httpx.Response:
    return await client.post(f"{BASE}/requests.{fmt}", data=form)


async def test_services_list_and_definition(client: httpx.AsyncClient) -> None:
    services = (await client.get(f"{BASE}/services.json")).json()
    light = next(s for s in services if s["service_code"] == "urban.street_light")
    assert light["service_name"] == "路灯故障"
    assert light["type"] == "realtime"
    assert light["metadata"] is True
    assert light["group"] == "城市管理"
    xml = fromstring((await client.get(f"{BASE}/services.xml")).content)
    assert xml.tag == "services"
    assert len(xml.findall("service")) == len(services)
    definition = (await client.get(f"{BASE}/services/urban.street_light.json")).json()
    [attribute] = definition["attributes"]
    assert attribute["code"] == "kind"
    assert {v["key"] for v in attribute["values"]} >= {"complaint", "help", "consultation"}
    assert (
        fromstring((await client.get(f"{BASE}/services/urban.street_light.xml")).content).findtext(
            "attributes/attribute/code"
        )
        == "kind"
    )
    missing = await client.get(f"{BASE}/services/urban.unicorns.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


async def test_post_a_request_form_encoded_then_read_it_back(client: httpx.AsyncClient) -> None:
    created = await post(client, **LIGHT)
    assert created.status_code == 201, created.text
    [receipt] = created.json()
    request_id = receipt["service_request_id"]
    assert request_id.startswith("12345")
    assert "7个工作日" in receipt["service_notice"]
    [one] = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert one["status"] == "open"
    assert one["service_code"] == "urban.street_light"
    assert one["agency_responsible"] == "安吉县综合行政执法局（城市管理局）"
    assert one["lat"] == 30.6388 and one["long"] == 119.6802
    assert "13905721001" not in one["description"]  # contact details never leave
    assert "email" not in one and "phone" not in one
    xml = fromstring((await client.get(f"{BASE}/requests/{request_id}.xml")).content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == request_id
    assert xml.findtext("request/status") == "open"


async def test_the_status_closes_once_the_reporter_confirms(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    response = await client.post(f"{BASE}/requests.json", data=LIGHT, headers=citizen)
    request_id = response.json()[0]["service_request_id"]
    mine = (await client.get("/api/v1/complaints", headers=citizen)).json()
    ticket = next(t for t in mine if t["ticket_no"] == request_id)
    urban = await sign_in(client, "staff-urban")
    await client.post(
        f"/api/v1/hotline/tickets/{ticket['id']}/reply",
        json={"reply": "已更换灯具，恢复照明。"},
        headers=urban,
    )
    [replied] = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert replied["status"] == "open"
    assert "已更换灯具" in replied["status_notes"]
    await client.post(
        f"/api/v1/complaints/{ticket['id']}/callback",
        json={"resolved": True, "satisfied": True},
        headers=citizen,
    )
    [closed] = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert closed["status"] == "closed"
    only_closed = (await client.get(f"{BASE}/requests.json?status=closed")).json()
    assert [r["service_request_id"] for r in only_closed] == [request_id]
    assert (await client.get(f"{BASE}/requests.json?status=open")).json() == []


async def test_get_requests_filters(client: httpx.AsyncClient) -> None:
    light = (await post(client, **LIGHT)).json()[0]["service_request_id"]
    bus = (
        await post(
            client,
            **LIGHT
            | {
                "service_code": "transport.bus",
                "description": "12路公交车经常不按时发车，等了四十分钟",
                "lat": "30.60",
                "long": "119.60",
            },
        )
    ).json()[0]["service_request_id"]
    every = {r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json")).json()}
    assert every == {light, bus}
    by_code = (await client.get(f"{BASE}/requests.json?service_code=transport.bus")).json()
    assert [r["service_request_id"] for r in by_code] == [bus]
    by_id = (await client.get(f"{BASE}/requests.json?service_request_id={light},{bus}")).json()
    assert len(by_id) == 2
    future = (await client.get(f"{BASE}/requests.json?start_date=2099-01-01T00:00:00Z")).json()
    assert future == []
    past = await client.get(
        f"{BASE}/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
    )
    assert past.json() == []
    xml = fromstring(
        (await client.get(f"{BASE}/requests.xml?service_code=urban.street_light")).content
    )
    assert [r.findtext("service_request_id") for r in xml.findall("request")] == [light]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": ""}, 400, "service_code is required"),
        ({"service_code": "urban.unicorns"}, 400, "not found"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location is required"),
        ({"lat": "north"}, 400, "lat must be a number"),
        ({"lat": "95"}, 400, ""),
        ({"description": " "}, 400, "description is required"),
        ({"jurisdiction_id": "beijing.gov.cn"}, 404, "jurisdiction_id"),
    ],
)
async def test_bad_requests_get_the_specs_error_format(
    client: httpx.AsyncClient, change: dict[str, str], status: int, words: str
) -> None:
    response = await post(client, **LIGHT | change)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status
    assert words in error["description"]
    as_xml = await post(client, "xml", **LIGHT | change)
    assert as_xml.status_code == status
    root = fromstring(as_xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status)
    assert (await client.get(f"{BASE}/requests.json")).json() == []  # nothing half-written


async def test_unknown_formats_jurisdictions_and_requests(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{BASE}/services.csv")).status_code == 404
    wrong = await client.get(f"{BASE}/services.json?jurisdiction_id=beijing.gov.cn")
    assert wrong.status_code == 404
    assert wrong.json()[0]["description"] == "jurisdiction_id beijing.gov.cn not found"
    ours = await client.get(f"{BASE}/services.json?jurisdiction_id=anji.gov.cn")
    assert ours.status_code == 200
    missing = await client.get(f"{BASE}/requests/1234520260101999999.xml")
    assert missing.status_code == 404
    assert fromstring(missing.content).findtext("error/code") == "404"
    dates = await client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert dates.status_code == 400
    status = await client.get(f"{BASE}/requests.json?status=pending")
    assert status.status_code == 400


async def test_a_signed_in_reporter_finds_an_open311_request_among_their_own(
    client: httpx.AsyncClient,
) -> None:
    """A city app that signs its users in files for them: the ticket is theirs to follow."""
    citizen = await sign_in(client, "citizen1")
    created = await client.post(f"{BASE}/requests.json", data=LIGHT, headers=citizen)
    assert created.status_code == 201, created.text
    number = created.json()[0]["service_request_id"]
    mine = (await client.get("/api/v1/complaints", headers=citizen)).json()
    assert [t["ticket_no"] for t in mine] == [number]
    other = await sign_in(client, "citizen2")
    assert (await client.get("/api/v1/complaints", headers=other)).json() == []
    forged = await client.post(
        f"{BASE}/requests.json", data=LIGHT, headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status_code == 400
    assert forged.json()[0]["code"] == 400
