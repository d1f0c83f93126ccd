"""`yiwang catalog lint`: what would break a running region, found before it is loaded."""

from __future__ import annotations

import dataclasses
from typing import Literal

from yiwang.catalog.items import DataSource, ServiceItem
from yiwang.catalog.loader import Catalog


@dataclasses.dataclass(frozen=True)
class Problem:
    """One finding: where, what kind, and what to do about it."""

    severity: Literal["error", "warning"]
    where: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.code}: {self.message}"


def lint(catalog: Catalog) -> list[Problem]:
    """Every problem in the catalogue, errors first."""
    problems: list[Problem] = []
    for service in catalog.services.values():
        problems += _service(catalog, service)
    for bundle in catalog.bundles.values():
        where = f"bundles/{bundle.code}"
        seen: dict[str, tuple[str, str]] = {}
        for code in bundle.services:
            service = catalog.services.get(code)
            if service is None:
                continue
            for field in service.form.fields:
                if field.name in seen and seen[field.name][0] != field.element:
                    other_element, other_service = seen[field.name]
                    problems.append(
                        Problem(
                            "error",
                            where,
                            "merged_field_conflict",
                            f"field {field.name} is {other_element} in {other_service} but "
                            f"{field.element} in {code}; the merged form cannot show both",
                        )
                    )
                seen.setdefault(field.name, (field.element, code))
        if _has_cycle({s: set(p) for s, p in bundle.after.items()}):
            problems.append(
                Problem("error", where, "after_cycle", "after: lines wait on each other in a cycle")
            )
    for source in catalog.sources.values():
        problems += _source(catalog, source)
    for kind in catalog.certificate_types.values():
        where = f"certificates/{kind.code}"
        wanted = [kind.holder.name, *kind.holder.code, *(i.element for i in kind.items)]
        for element in wanted + ([kind.assigns] if kind.assigns else []):
            if element not in catalog.elements:
                problems.append(
                    Problem("error", where, "certificate_without_element", f"no element {element}")
                )
    return sorted(problems, key=lambda p: (p.severity != "error", p.where, p.code))


def _service(catalog: Catalog, service: ServiceItem) -> list[Problem]:
    where = f"services/{service.code}"
    problems: list[Problem] = []
    department = catalog.departments.get(service.department)
    roles = {role.code for role in department.roles} if department else set()
    steps = service.workflow.by_code
    for step in service.workflow.steps:
        if step.role not in roles:
            problems.append(
                Problem(
                    "error",
                    where,
                    "role_nobody_holds",
                    f"step {step.code} is for role {step.role}, which {service.department} "
                    "does not have",
                )
            )
        if step.next is not None and step.next not in steps:
            problems.append(
                Problem("error", where, "unknown_step", f"step {step.code} goes on to {step.next}")
            )
    reachable: list[str] = []
    current: str | None = service.workflow.steps[0].code
    while current is not None and current in steps and current not in reachable:
        reachable.append(current)
        current = steps[current].next
    if current is not None and current in reachable:
        problems.append(
            Problem("error", where, "workflow_cycle", f"step {current} is reached twice")
        )
    for code in steps:
        if code not in reachable:
            problems.append(
                Problem(
                    "error",
                    where,
                    "unreachable_step",
                    f"step {code} cannot be reached from {service.workflow.steps[0].code}",
                )
            )
    for field in service.form.fields:
        if field.element not in catalog.elements:
            problems.append(
                Problem(
                    "error",
                    where,
                    "field_without_element",
                    f"field {field.name} refers to {field.element}, which is not a data element",
                )
            )
    kind = service.result.certificate_type
    if kind is not None and kind not in catalog.certificate_types:
        problems.append(
            Problem(
                "error",
                where,
                "unknown_certificate_type",
                f"its result is a {kind}, which definitions/certificates.yaml does not define",
            )
        )
    shared = {
        element
        for source in catalog.sources.values()
        if source.sharing != "none"
        for element in source.elements
    }
    for material in service.materials:
        by = material.provided_by
        if by and by.startswith("certificate:"):
            if by.split(":", 1)[1] not in catalog.certificate_types:
                problems.append(
                    Problem(
                        "error",
                        where,
                        "unknown_certificate_type",
                        f"material {material.code} is provided by {by}, which is not defined",
                    )
                )
        elif by and by not in shared:
            problems.append(
                Problem(
                    "error",
                    where,
                    "material_source_missing",
                    f"material {material.code} is provided by {by}, which no shared data "
                    "source serves",
                )
            )
    total = sum(step.limit_days for step in service.workflow.steps if step.code in reachable)
    if total > service.promised_limit_days:
        problems.append(
            Problem(
                "warning",
                where,
                "steps_exceed_promise",
                f"its steps take {total} working days; {service.promised_limit_days} are promised",
            )
        )
    return problems


def _source(catalog: Catalog, source: DataSource) -> list[Problem]:
    where = f"data-sources/{source.code}"
    problems: list[Problem] = []
    for field in source.fields:
        element = catalog.elements.get(field.element)
        if element is None:
            problems.append(
                Problem(
                    "error",
                    where,
                    "source_field_without_element",
                    f"{field.path} is mapped onto {field.element}, which is not a data element",
                )
            )
            continue
        allowed = {o.value for o in element.options or []}
        if field.values and element.type == "enum":
            wrong = sorted(set(field.values.values()) - allowed)
            if wrong:
                problems.append(
                    Problem(
                        "error",
                        where,
                        "source_value_not_an_option",
                        f"{field.path} maps onto {', '.join(wrong)}, not options of {element.code}",
                    )
                )
        if ("{other}" in field.path or field.path == "=role") and not source.roles:
            problems.append(
                Problem("error", where, "source_roles_missing", f"{field.path} needs roles:")
            )
    return problems


def _has_cycle(graph: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        if any(visit(n) for n in graph.get(node, ())):
            return True
        state[node] = 2
        return False

    return any(visit(node) for node in list(graph))
