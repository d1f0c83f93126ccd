"""The hotline's definitions (definitions/complaints/categories.yaml): kinds, the category tree
with each category's department and deadline class, the deadlines, duplicates and routing."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from yiwang.catalog.definitions import DefinitionError, Text

DeadlineClass = Literal["emergency", "utilities", "general", "complex"]


class Strict(BaseModel):
    """Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(Strict):
    """诉求类型: 咨询, 求助, 投诉, 举报, 建议."""

    code: str
    name: Text


class Deadline(Strict):
    """How fast a class of ticket is answered, and how fast it must be signed for."""

    answer_hours: int | None = Field(default=None, ge=1)
    answer_workdays: int | None = Field(default=None, ge=1)
    sign_for_minutes: int = Field(ge=1)

    @model_validator(mode="after")
    def _one_limit(self) -> Deadline:
        if (self.answer_hours is None) == (self.answer_workdays is None):
            raise ValueError("give answer_hours or answer_workdays, not both")
        return self


class Category(Strict):
    """A leaf of the category tree: who answers it and within which deadline class."""

    code: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    name: Text
    department: str
    deadline: DeadlineClass


class Group(Strict):
    """A branch of the category tree."""

    code: str
    name: Text
    categories: list[Category] = Field(min_length=1)


class Rule(Strict):
    """派单规则: keywords that send a ticket to a category, perhaps as an emergency."""

    when: list[str] = Field(min_length=1)
    category: str
    emergency: bool = False


class Duplicates(Strict):
    """What counts as the same problem at the same place."""

    radius_m: float = Field(gt=0)
    window_hours: int = Field(gt=0)


class Routing(Strict):
    """How sure the model must be to dispatch by itself."""

    min_confidence: float = Field(ge=0, le=1)


class HotlineDefinitions(Strict):
    """The whole file."""

    version: int
    kinds: list[Kind]
    deadlines: dict[DeadlineClass, Deadline]
    duplicates: Duplicates
    routing: Routing
    groups: list[Group]
    rules: list[Rule] = []

    @functools.cached_property
    def categories(self) -> dict[str, Category]:
        """Every category by code (worked out once: every ticket's intake asks)."""
        return {c.code: c for g in self.groups for c in g.categories}

    def group_of(self, category: str) -> Group | None:
        """The group a category belongs to."""
        return next((g for g in self.groups if any(c.code == category for c in g.categories)), None)

    @model_validator(mode="after")
    def _rules_name_categories(self) -> HotlineDefinitions:
        known = {c.code for g in self.groups for c in g.categories}
        for rule in self.rules:
            if rule.category not in known:
                raise ValueError(f"rule for {rule.when} names unknown category {rule.category}")
        return self


@functools.lru_cache(maxsize=8)
def load(directory: Path) -> HotlineDefinitions:
    """Read and validate definitions/complaints/categories.yaml."""
    path = directory / "complaints" / "categories.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return HotlineDefinitions.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise DefinitionError(f"{path}: {exc}") from exc
