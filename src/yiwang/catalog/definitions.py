"""Reading and validating the YAML under definitions/: data, not code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from yiwang.kit import regions
from yiwang.kit.validators import InvalidUscc, parse_uscc


class DefinitionError(ValueError):
    """A definition file is missing, unreadable or breaks its schema."""


class Text(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(extra="forbid")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Role(BaseModel):
    """A staff role a department's officers can hold."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: Text


class Department(BaseModel):
    """实施主体: a department of the region, its credit code and its staff roles."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: Text
    uscc: str
    phone: str | None = None
    roles: list[Role] = Field(min_length=1)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        try:
            return parse_uscc(value).value
        except InvalidUscc as exc:
            raise ValueError(f"not a valid unified social credit code: {value}") from exc

    @property
    def version(self) -> str:
        """A fingerprint of this definition."""
        blob = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


class Region(BaseModel):
    """The region this installation serves."""

    model_config = ConfigDict(extra="forbid")
    code: str
    name: Text
    province: Text
    city: Text
    hotline: str = "12345"

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not regions.exists(value):
            raise ValueError(f"no such GB/T 2260 division code: {value}")
        return value


class DepartmentsFile(BaseModel):
    """The shape of definitions/departments.yaml."""

    model_config = ConfigDict(extra="forbid")
    version: int
    common_roles: list[Role] = []
    departments: list[Department] = Field(min_length=1)

    @field_validator("departments")
    @classmethod
    def _unique(cls, value: list[Department]) -> list[Department]:
        seen: set[str] = set()
        for department in value:
            if department.code in seen:
                raise ValueError(f"department code {department.code} appears twice")
            seen.add(department.code)
        return value


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from exc


def _validate(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(_read(path))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise DefinitionError(f"{path}: {problems}") from exc


def load_region(directory: Path) -> Region:
    """The region this installation serves, from region.yaml."""
    return _validate(Region, directory / "region.yaml")


def load_departments(directory: Path) -> list[Department]:
    """The region's departments, from departments.yaml, validated."""
    return _validate(DepartmentsFile, directory / "departments.yaml").departments
