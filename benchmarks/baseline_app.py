"""The ceiling of one bundle submission's writes: a raw ASGI app that stores, in one transaction
and with the fastest driver, the same rows yiwang's POST /api/v1/applications stores.

benchmarks/submission.py starts it with uvicorn (the same worker count as yiwang) on a scratch
database of its own, migrated with yiwang's alembic (same tables, same indexes), and drives it
with the same wrk script and the same request bodies as yiwang. There is no framework, no
validation, no sign-in check and no ORM: the body is parsed, the rows are written, and a small
JSON answer ({"id", "tracking_no", "status"}) goes back; whatever yiwang does beyond its durable
writes shows as the gap between the two.

What one POST runs (SQLite: stdlib sqlite3, inline on the event loop, WAL, synchronous=NORMAL,
busy_timeout 30 s; PostgreSQL: raw asyncpg, a pool of 20 per worker, prepared statements, each
execution planned for its values):

    BEGIN IMMEDIATE                    (PostgreSQL: BEGIN, read committed)
    SELECT id, tracking_no, request_digest FROM applications
        WHERE applicant_id = ? AND idempotency_key = ?         -- found: ROLLBACK, 201 replay
    INSERT INTO tracking_counters (day, last) VALUES (?, 1)
        ON CONFLICT (day) DO UPDATE SET last = tracking_counters.last + 1 RETURNING last
    INSERT INTO applications (16 columns: form and provenance JSON, idempotency key, digest, …)
    INSERT INTO branches (14 columns) VALUES (…), (…), (…), (…)       -- one row per service
    INSERT INTO tasks (11 columns) VALUES (…), (…), (…)                -- one per open first step
    INSERT INTO jobs (kind, payload, status, attempts, run_after, created_at)   -- the outbox
    INSERT INTO application_events (…)                                 -- "submitted"
    INSERT INTO audit_events (occurred_at, actor_id, actor, action, …, summary) -- unsealed
    COMMIT

On PostgreSQL the five INSERTs after the counter are one statement (data-modifying CTEs), so a
submission is five round trips: BEGIN, SELECT, counter, inserts, COMMIT. A unique violation on
(applicant_id, idempotency_key) (the same key twice at once) is answered as a replay.

The rows' shape (how many branches and tasks, their services, steps, roles, dates, the job's
payload, the event's detail and the audit summary) comes from BASELINE_TEMPLATE, a JSON file
submission.py writes from a submission yiwang really stored; the form comes from each request,
the provenance marks every field "entered", as yiwang does for a form typed by hand. Nothing runs
after commit: yiwang's outbox job (the notification and its audit row) and the sealing of the
audit chain have no counterpart here.

Environment: BASELINE_DATABASE_URL (sqlite:///path or postgresql://…), BASELINE_TEMPLATE.

    BASELINE_DATABASE_URL=sqlite:////tmp/b.db BASELINE_TEMPLATE=/tmp/t.json \\
        .venv/bin/python -m uvicorn --app-dir benchmarks baseline_app:app --workers 2
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import uuid
from typing import Any

CHINA = dt.timezone(dt.timedelta(hours=8))

APPLICATION_COLUMNS = (
    "id, tracking_no, applicant_id, kind, subject_code, snapshot_id, form, provenance, "
    "consent_id, status, accepted_on, due_date, idempotency_key, request_digest, created_at, "
    "updated_at"
)
BRANCH_COLUMNS = (
    "id, application_id, service_code, department_code, status, step_code, waits_for, "
    "promised_limit_days, started_on, due_date, remaining_days, step_due_date, "
    "step_remaining_days, updated_at"
)
TASK_COLUMNS = (
    "id, branch_id, application_id, department_code, service_code, step_code, role, "
    "assignee_id, status, due_date, created_at"
)
JOB_COLUMNS = "kind, payload, status, attempts, run_after, created_at"
EVENT_COLUMNS = "application_id, branch_id, at, actor_id, actor_kind, kind, detail"
AUDIT_COLUMNS = "occurred_at, actor_id, actor, action, target_type, target_id, request_id, summary"
IDEMPOTENT_READ = (
    "SELECT id, tracking_no, request_digest FROM applications "
    "WHERE applicant_id = {0} AND idempotency_key = {1}"
)
COUNTER = (
    "INSERT INTO tracking_counters (day, last) VALUES ({0}, 1) ON CONFLICT (day) "
    "DO UPDATE SET last = tracking_counters.last + 1 RETURNING last"
)

# Placeholders in the template's JSON texts, replaced per submission.
APP, TRACKING = "\x00APP\x00", "\x00TN\x00"


def check_char(digits: str) -> str:
    """ISO 7064 MOD 11-2, as yiwang's tracking numbers end."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Template:
    """What every submission writes besides the form: read once from BASELINE_TEMPLATE."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.applicant_id: str = raw["applicant_id"]
        self.actor: str = raw["actor"]
        self.actor_kind: str = raw["actor_kind"]
        self.region: str = raw["region"]
        self.application: dict[str, Any] = raw["application"]
        self.branches: list[dict[str, Any]] = raw["branches"]
        self.tasks: list[dict[str, Any]] = raw["tasks"]
        self.job_kind: str = raw["job"]["kind"]
        self.job_payload: str = raw["job"]["payload"]
        self.event_kind: str = raw["event"]["kind"]
        self.event_detail: str = raw["event"]["detail"]
        self.audit_action: str = raw["audit"]["action"]
        self.audit_target_type: str = raw["audit"]["target_type"]
        self.audit_summary: str = raw["audit"]["summary"]

    def rows(
        self,
        form_json: str,
        provenance_json: str,
        key: str | None,
        digest: str,
        tracking_no: str,
        *,
        text_times: bool,
    ) -> dict[str, Any]:
        """Every row of one submission, as parameter tuples in the column orders above.
        text_times: timestamps and dates as SQLAlchemy's SQLite dialect stores them (text)."""
        app_id = str(uuid.uuid4())
        now_aware = dt.datetime.now(dt.UTC)
        now: Any = str(now_aware.replace(tzinfo=None)) if text_times else now_aware

        def day(value: str | None) -> Any:
            return value if text_times else _date(value)

        a = self.application
        application = (
            app_id,
            tracking_no,
            self.applicant_id,
            a["kind"],
            a["subject_code"],
            a["snapshot_id"],
            form_json,
            provenance_json,
            None,
            a["status"],
            day(dt.datetime.now(CHINA).date().isoformat()),
            day(a["due_date"]),
            key,
            digest,
            now,
            now,
        )
        branch_ids = [str(uuid.uuid4()) for _ in self.branches]
        branches = [
            (
                branch_ids[i],
                app_id,
                b["service_code"],
                b["department_code"],
                b["status"],
                b["step_code"],
                b["waits_for"],
                b["promised_limit_days"],
                day(b["started_on"]),
                day(b["due_date"]),
                None,
                day(b["step_due_date"]),
                None,
                now,
            )
            for i, b in enumerate(self.branches)
        ]
        tasks = [
            (
                str(uuid.uuid4()),
                branch_ids[t["branch"]],
                app_id,
                t["department_code"],
                t["service_code"],
                t["step_code"],
                t["role"],
                None,
                t["status"],
                day(t["due_date"]),
                now,
            )
            for t in self.tasks
        ]

        def fill(text: str) -> str:
            return text.replace(APP, app_id).replace(TRACKING, tracking_no)

        job = (self.job_kind, fill(self.job_payload), "pending", 0, now, now)
        event = (
            app_id,
            None,
            now,
            self.applicant_id,
            self.actor_kind,
            self.event_kind,
            fill(self.event_detail),
        )
        audit = (
            now,
            self.applicant_id,
            self.actor,
            self.audit_action,
            self.audit_target_type,
            app_id,
            uuid.uuid4().hex,
            fill(self.audit_summary),
        )
        return {
            "id": app_id,
            "application": application,
            "branches": branches,
            "tasks": tasks,
            "job": job,
            "event": event,
            "audit": audit,
        }


def insert_sql(table: str, columns: str, rows: int, *, start: int = 0, dollar: bool = False) -> str:
    """INSERT INTO table (columns) VALUES (?, …), (…): rows groups of placeholders, for asyncpg
    numbered $n from start + 1. Only this module's constants go into it."""
    width = len(columns.split(","))
    groups = []
    for r in range(rows):
        first = start + r * width + 1
        marks = [f"${first + c}" for c in range(width)] if dollar else ["?"] * width
        groups.append("(" + ", ".join(marks) + ")")
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(groups)  # noqa: S608


def plan(template: Template) -> list[tuple[str, str, str, int]]:
    """(row key, table, columns, rows) of the inserts after the counter, in order."""
    return [
        ("application", "applications", APPLICATION_COLUMNS, 1),
        ("branches", "branches", BRANCH_COLUMNS, len(template.branches)),
        ("tasks", "tasks", TASK_COLUMNS, len(template.tasks)),
        ("job", "jobs", JOB_COLUMNS, 1),
        ("event", "application_events", EVENT_COLUMNS, 1),
        ("audit", "audit_events", AUDIT_COLUMNS, 1),
    ]


class SqliteStore:
    """stdlib sqlite3, one connection per worker, used inline (each call blocks the loop)."""

    def __init__(self, path: str, template: Template) -> None:
        self.t = template
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=30000",
        ):
            self.db.execute(pragma)
        self.read = IDEMPOTENT_READ.format("?", "?")
        self.counter = COUNTER.format("?")
        self.inserts = [
            (key, insert_sql(table, columns, rows)) for key, table, columns, rows in plan(template)
        ]

    async def submit(
        self, form_json: str, provenance_json: str, key: str | None, digest: str
    ) -> tuple[str, str, bool]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if key:
                found = db.execute(self.read, (self.t.applicant_id, key)).fetchone()
                if found is not None:
                    db.execute("ROLLBACK")
                    return found[0], found[1], False
            day = dt.datetime.now(CHINA).strftime("%Y%m%d")
            last = db.execute(self.counter, (day,)).fetchone()[0]
            body = f"{self.t.region}{day}{last:06d}"
            tracking_no = body + check_char(body)
            rows = self.t.rows(
                form_json, provenance_json, key, digest, tracking_no, text_times=True
            )
            for name, statement in self.inserts:
                value = rows[name]
                flat = [v for row in value for v in row] if isinstance(value, list) else value
                db.execute(statement, flat)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return rows["id"], tracking_no, True

    async def close(self) -> None:
        self.db.close()


class PostgresStore:
    """Raw asyncpg: BEGIN, the idempotency read, the counter, one statement of inserts, COMMIT."""

    def __init__(self, url: str, template: Template) -> None:
        self.url, self.t, self.pool = url, template, None
        self.read = IDEMPOTENT_READ.format("$1", "$2")
        self.counter = COUNTER.format("$1")
        parts, n = [], 0
        for _, table, columns, rows in plan(template):
            parts.append(insert_sql(table, columns, rows, start=n, dollar=True))
            n += rows * len(columns.split(","))
        ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts[:-1]))
        self.inserts = f"WITH {ctes} {parts[-1]}"

    async def open(self) -> None:
        import asyncpg

        # Planned per execution, as yiwang's sessions are (rawdb.SERVER_SETTINGS): a generic
        # plan made while the scratch table is empty scans it, 1 ms a lookup by 15,000 rows.
        self.pool = await asyncpg.create_pool(
            self.url,
            min_size=4,
            max_size=20,
            server_settings={"plan_cache_mode": "force_custom_plan"},
        )

    async def submit(
        self, form_json: str, provenance_json: str, key: str | None, digest: str
    ) -> tuple[str, str, bool]:
        import asyncpg

        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    if key:
                        found = await conn.fetchrow(self.read, self.t.applicant_id, key)
                        if found is not None:
                            return found[0], found[1], False
                    day = dt.datetime.now(CHINA).strftime("%Y%m%d")
                    last = await conn.fetchval(self.counter, day)
                    body = f"{self.t.region}{day}{last:06d}"
                    tracking_no = body + check_char(body)
                    rows = self.t.rows(
                        form_json, provenance_json, key, digest, tracking_no, text_times=False
                    )
                    flat: list[Any] = list(rows["application"])
                    for branch in rows["branches"]:
                        flat += branch
                    for task in rows["tasks"]:
                        flat += task
                    flat += [*rows["job"], *rows["event"], *rows["audit"]]
                    await conn.execute(self.inserts, *flat)
            except asyncpg.UniqueViolationError:
                found = await conn.fetchrow(self.read, self.t.applicant_id, key)
                if found is None:
                    raise
                return found[0], found[1], False
        return rows["id"], tracking_no, True

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


def make_store() -> SqliteStore | PostgresStore:
    url = os.environ["BASELINE_DATABASE_URL"]
    with open(os.environ["BASELINE_TEMPLATE"], encoding="utf-8") as f:
        template = Template(json.load(f))
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), template)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url, template)
    raise SystemExit(f"BASELINE_DATABASE_URL: sqlite:///… or postgresql://…, not {url!r}")


STORE: SqliteStore | PostgresStore | None = None


async def _send(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """POST (any path): store a submission; GET: 200 (readiness)."""
    global STORE
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                STORE = make_store()
                if isinstance(STORE, PostgresStore):
                    await STORE.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if STORE is not None:
                    await STORE.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["method"] != "POST":
        await _send(send, 200, b'{"status":"ok"}', [])
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    key = None
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            key = value.decode()
    try:
        form = json.loads(raw)["form"]
    except (ValueError, KeyError, TypeError):
        await _send(send, 422, b'{"error":"invalid"}', [])
        return
    # Stored as SQLAlchemy's JSON type stores it (json.dumps, ASCII-escaped).
    form_json = json.dumps(form)
    provenance_json = json.dumps({name: {"origin": "entered"} for name in form})
    digest = hashlib.sha256(raw).hexdigest()
    app_id, tracking_no, created = await STORE.submit(form_json, provenance_json, key, digest)
    answer = json.dumps({"id": app_id, "tracking_no": tracking_no, "status": "in_progress"})
    extra = [] if created else [(b"idempotent-replayed", b"true")]
    await _send(send, 201, answer.encode(), extra)
