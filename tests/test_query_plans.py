"""No request reads a whole table that grows with use.

A query without an index is as fast as one with while the demo county has a few rows, and
reads every application's tasks once a county has years of them: 23 ms per read at 200,000
tasks, on every task a staff member opened. This test drives a day's work through the API
(applying, a staff member opening and deciding tasks, a licence issued, a withdrawal, the
12345 list, the dashboard's summary, a failed sign-in, the deadline check) and asks SQLite's
planner how it runs every statement SQLAlchemy sent: none may scan a growing table whole.

SQLite only: its planner uses an index whenever one applies, where PostgreSQL's rightly
prefers a scan of a table this small. The raw driver's few statements (the submission path,
the status page, the inbox) are not seen here; they are built from the same Core statements.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.applications.helpers import approve_branch, open_tasks, staff, submit_bundle
from tests.conftest import sign_in
from yiwang.applications import deadlines
from yiwang.database import transaction
from yiwang.kit.workdays import WorkdayCalendar

pytestmark = pytest.mark.anyio

# Tables that grow with every application, decision, ticket, rating or sign-in.
GROWING = {
    "applications",
    "application_events",
    "application_materials",
    "branches",
    "tasks",
    "certificates",
    "certificate_pdfs",
    "tickets",
    "ticket_events",
    "ratings",
    "notifications",
    "jobs",
    "audit_events",
    "sessions",
    "login_failures",
    "data_access_log",
}
_SCAN = re.compile(r"^SCAN (\w+)")  # also "SCAN t USING [COVERING] INDEX …": every row
_ALIAS = re.compile(r"\b(\w+) AS (\w+)\b")


class Statements:
    """Every SELECT, UPDATE and DELETE any engine sends while it listens."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def __call__(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if statement.lstrip()[:6].upper() in ("SELECT", "UPDATE", "DELETE"):
            self.seen.setdefault(statement, parameters[0] if many else parameters)

    def scans(self, database: Path) -> list[tuple[str, str]]:
        """(table, statement) for each statement the planner would run by reading a growing
        table whole."""
        found = []
        with contextlib.closing(sqlite3.connect(database)) as conn:
            for statement, parameters in self.seen.items():
                # The plan names a table by its alias (``tasks AS other``): back to the table.
                tables = {alias: table for table, alias in _ALIAS.findall(statement)}
                for *_, detail in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
                    match = _SCAN.match(detail)
                    table = match and tables.get(match.group(1), match.group(1))
                    if table in GROWING:
                        found.append((detail, " ".join(statement.split())[:300]))
        return found


async def test_no_request_reads_a_whole_growing_table(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("asks SQLite's planner")
    statements = Statements()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", statements)
    try:
        citizen = await sign_in(client, "citizen1")
        first = (await submit_bundle(client, citizen, "open-restaurant")).json()["id"]
        second = (await submit_bundle(client, citizen, "open-restaurant")).json()["id"]
        samr = await staff(client, "samr")
        task = (await open_tasks(client, samr, first))[0]
        assert (await client.get(f"/api/v1/tasks/{task['id']}", headers=samr)).status_code == 200
        await approve_branch(client, "samr", first)  # issues the business licence
        seen = await client.get(f"/api/v1/applications/{first}", headers=citizen)
        assert seen.json()["certificates"], "the licence shows on the status page"
        withdrawn = await client.post(
            f"/api/v1/applications/{second}/withdraw", json={"reason": "不办了"}, headers=citizen
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert (await client.get("/open311/v2/requests.json")).status_code == 200
        summary = await client.get("/api/v1/ratings/summary", headers=samr)
        assert summary.status_code == 200, summary.text
        refused = await client.post(
            "/api/v1/auth/token", data={"username": "citizen1", "password": "not-it"}
        )
        assert refused.status_code == 401
        async with transaction(engine) as db:
            await deadlines.check_deadlines(db, calendar=WorkdayCalendar())
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", statements)
    assert len(statements.seen) > 25  # the listener saw the day's work (distinct statements)
    database = Path(engine.url.database or "")
    assert statements.scans(database) == []
