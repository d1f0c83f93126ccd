"""The hotline's Open311 GeoReport v2 face: services, service definitions and service requests
in the spec's JSON and XML. Internal states stay rich; Open311 sees ``open`` or ``closed`` with
``status_notes`` and ``agency_responsible``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from yiwang.catalog.loader import Catalog
from yiwang.complaints.definitions import HotlineDefinitions

JURISDICTION = "anji.gov.cn"
_LONG_DIGITS = re.compile(r"\d{7,}")
STATUS_NOTES = {
    "dispatching": "已受理，正在派单",
    "assigned": "已派发至承办部门，待签收",
    "in_progress": "承办部门正在办理",
    "replied": "承办部门已答复，待回访",
    "closed": "已办结",
    "linked": "同一问题已有工单，合并办理",
}
_NOTICE = {
    "emergency": "紧急诉求，2小时内答复",
    "utilities": "水电气热诉求，24小时内答复",
    "general": "7个工作日内答复",
    "complex": "15个工作日内答复",
}


class Open311Error(Exception):
    """An error in the spec's shape: ``[{"code": 400, "description": "…"}]``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def services(definitions: HotlineDefinitions) -> list[dict[str, Any]]:
    """GET services: every category as a service."""
    out = []
    for group in definitions.groups:
        for category in group.categories:
            out.append(
                {
                    "service_code": category.code,
                    "service_name": category.name.zh,
                    "description": (
                        f"{category.name.zh}（{category.name.en}）：{_NOTICE[category.deadline]}"
                    ),
                    "metadata": True,
                    "type": "realtime",
                    "keywords": ",".join(
                        w for r in definitions.rules if r.category == category.code for w in r.when
                    ),
                    "group": group.name.zh,
                }
            )
    return out


def definition(definitions: HotlineDefinitions, service_code: str) -> dict[str, Any]:
    """GET services/{code}: the one attribute a request can carry, the kind of request."""
    if service_code not in definitions.categories:
        raise Open311Error(404, f"service_code {service_code} not found")
    return {
        "service_code": service_code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "诉求类型 (kind of request); complaint if not given",
                "order": 1,
                "description": "诉求类型",
                "values": [{"key": k.code, "name": k.name.zh} for k in definitions.kinds],
            }
        ],
    }


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")


def request(definitions: HotlineDefinitions, catalog: Catalog, row: Any) -> dict[str, Any]:
    """One ticket as an Open311 service request; reporters' contact details never leave."""
    category = definitions.categories.get(row.category or "")
    department = catalog.departments.get(row.department_code or "")
    notes = STATUS_NOTES.get(row.status, row.status)
    if row.reply and row.status in ("replied", "closed"):
        notes = f"{notes}：{row.reply}"
    return {
        "service_request_id": row.ticket_no,
        "status": "closed" if row.status == "closed" else "open",
        "status_notes": notes,
        "service_name": category.name.zh if category else None,
        "service_code": row.category,
        "description": _LONG_DIGITS.sub("***", row.text),
        "agency_responsible": department.name.zh if department else None,
        "service_notice": _NOTICE.get(row.deadline_class or ""),
        "requested_datetime": _iso(row.created_at),
        "updated_datetime": _iso(row.updated_at),
        "expected_datetime": _iso(row.due_at),
        "address": row.address,
        "address_id": None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lon,
        "media_url": (row.media_urls or [None])[0],
    }


def to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    """The spec's XML: ``<services><service>…`` or ``<service_requests><request>…``."""
    top = Element(root)
    for row in rows:
        node = SubElement(top, item)
        for key, value in row.items():
            _xml_value(SubElement(node, key), value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="unicode").encode()


def definition_xml(body: dict[str, Any]) -> bytes:
    """A service definition in XML."""
    top = Element("service_definition")
    SubElement(top, "service_code").text = body["service_code"]
    attributes = SubElement(top, "attributes")
    for attribute in body["attributes"]:
        node = SubElement(attributes, "attribute")
        for key, value in attribute.items():
            if key == "values":
                values = SubElement(node, "values")
                for entry in value:
                    one = SubElement(values, "value")
                    SubElement(one, "key").text = entry["key"]
                    SubElement(one, "name").text = entry["name"]
            else:
                _xml_value(SubElement(node, key), value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="unicode").encode()


def errors_xml(status: int, description: str) -> bytes:
    """``<errors><error><code>…</code><description>…</description></error></errors>``."""
    top = Element("errors")
    error = SubElement(top, "error")
    SubElement(error, "code").text = str(status)
    SubElement(error, "description").text = description
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="unicode").encode()


def _xml_value(node: Element, value: Any) -> None:
    if value is None:
        return
    node.text = ("true" if value else "false") if isinstance(value, bool) else str(value)
