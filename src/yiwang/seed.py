"""Load the demo region: departments from definitions/ and the demo accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.audit.service import SystemActor
from yiwang.catalog import service as catalog
from yiwang.catalog import snapshots
from yiwang.catalog.definitions import load_departments
from yiwang.database import transaction
from yiwang.identity import passwords
from yiwang.identity import repository as identity_repo
from yiwang.identity import service as identity

SEEDER = SystemActor(label="system:seed-demo")


def demo_accounts(definitions_dir: Path) -> dict[str, Any]:
    """The demo accounts file."""
    return yaml.safe_load((definitions_dir / "demo" / "accounts.yaml").read_text(encoding="utf-8"))


async def seed_demo(
    engine: AsyncEngine, *, definitions_dir: Path, password_hash: str | None = None
) -> list[str]:
    """Create whatever demo data is missing; returns the usernames created. Safe to run again."""
    data = demo_accounts(definitions_dir)
    created: list[str] = []
    async with transaction(engine) as db:
        await catalog.load_definitions(db, actor=SEEDER, directory=definitions_dir)
        await snapshots.load(db, actor=SEEDER, directory=definitions_dir)
        # One hash for every demo account: they share a published password anyway.
        password_hash = password_hash or await passwords.hash_password(data["password"])
        specs: list[dict[str, Any]] = []
        for person in data.get("citizens", []):
            specs.append(
                {
                    "kind": "citizen",
                    "username": person["username"],
                    "name": person["name"],
                    "id_number": person["id_number"],
                    "phone": person.get("phone"),
                    "realname_source": "population_registry",
                }
            )
        for org in data.get("enterprises", []):
            specs.append(
                {
                    "kind": "enterprise",
                    "username": org["username"],
                    "name": org["name"],
                    "enterprise_name": org["name"],
                    "uscc": org["uscc"],
                    "phone": org.get("phone"),
                }
            )
        for admin in data.get("admins", []):
            specs.append(
                {
                    "kind": "admin",
                    "username": admin["username"],
                    "name": admin["name"],
                    "roles": ["admin"],
                }
            )
        names = data.get("staff_names", {})
        for department in load_departments(definitions_dir):
            specs.append(
                {
                    "kind": "staff",
                    "username": f"staff-{department.code}",
                    "name": names.get(department.code, f"{department.name.zh}工作人员"),
                    "department_code": department.code,
                    "roles": [role.code for role in department.roles],
                }
            )
        for spec in specs:
            if await identity_repo.account_by_login(db, spec["username"]) is not None:
                continue
            await identity.create_account(db, actor=SEEDER, password_hash=password_hash, **spec)
            created.append(spec["username"])
    return created
