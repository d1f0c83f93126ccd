"""The yiwang command, run as an operator runs it: in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import run_sql
from yiwang.config import Settings


def yiwang(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": settings.database_url,
        "YIWANG_SECRET_KEY": settings.secret_key,
        "YIWANG_LOG_JSON": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "yiwang.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["migrate"],
        ["seed-demo"],
        ["users", "create"],
        ["audit", "verify"],
        ["audit", "head"],
        ["demo-systems"],
        ["catalog", "lint"],
        ["catalog", "load"],
    ],
)
def test_every_command_has_help(seeded_database: Settings, command: list[str]) -> None:
    result = yiwang(seeded_database, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_audit_verify_exits_non_zero_and_names_the_first_edited_row(
    seeded_database: Settings,
) -> None:
    ok = yiwang(seeded_database, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    run_sql(seeded_database.database_url, "UPDATE audit_events SET action = 'x' WHERE seq = 3")
    bad = yiwang(seeded_database, "audit", "verify")
    assert bad.returncode == 1
    assert "seq=3" in bad.stderr and "edited" in bad.stderr


def test_users_create_makes_a_staff_account_that_can_sign_in(seeded_database: Settings) -> None:
    result = yiwang(
        seeded_database,
        "users",
        "create",
        "officer-wang",
        "--name",
        "王警官",
        "--department",
        "police",
        "--role",
        "reviewer",
        "--password-stdin",
        stdin="strong-pass-42\n",
    )
    assert result.returncode == 0, result.stderr
    again = yiwang(
        seeded_database,
        "users",
        "create",
        "officer-wang",
        "--department",
        "police",
        "--password-stdin",
        stdin="strong-pass-42\n",
    )
    assert again.returncode == 2
    assert "account_exists" in again.stderr


def test_users_create_refuses_a_role_the_department_does_not_have(
    seeded_database: Settings,
) -> None:
    result = yiwang(
        seeded_database,
        "users",
        "create",
        "officer-li",
        "--department",
        "police",
        "--role",
        "pilot",
        "--password-stdin",
        stdin="strong-pass-42\n",
    )
    assert result.returncode == 2
    assert "unknown_role" in result.stderr


def test_seed_demo_is_idempotent(seeded_database: Settings) -> None:
    result = yiwang(seeded_database, "seed-demo")
    assert result.returncode == 0, result.stderr
    assert "0 accounts created" in result.stdout


@pytest.mark.parametrize(
    ("username", "uscc"),
    [
        ("coop-n", "N233052306920318XE"),  # 农民专业合作社: registering department N
        ("org-a", "A13305235000871X90"),  # registering department A
        ("other-y", "Y1330523MJ88123457"),  # registering department Y
    ],
)
def test_enterprise_accounts_accept_a_n_and_y_credit_codes(
    seeded_database: Settings, username: str, uscc: str
) -> None:
    result = yiwang(
        seeded_database,
        "users",
        "create",
        username,
        "--kind",
        "enterprise",
        "--name",
        "合作社",
        "--uscc",
        uscc,
        "--password-stdin",
        stdin="strong-pass-42\n",
    )
    assert result.returncode == 0, result.stderr


def test_enterprise_account_with_a_mistyped_credit_code_is_refused(
    seeded_database: Settings,
) -> None:
    result = yiwang(
        seeded_database,
        "users",
        "create",
        "coop-bad",
        "--kind",
        "enterprise",
        "--uscc",
        "N233052306920318XF",
        "--password-stdin",
        stdin="strong-pass-42\n",
    )
    assert result.returncode == 2
    assert "invalid_uscc" in result.stderr


def test_a_cut_tail_is_found_against_a_recorded_head(seeded_database: Settings) -> None:
    head = yiwang(seeded_database, "audit", "head")
    assert head.returncode == 0, head.stderr
    recorded = head.stdout.strip()
    seq = int(recorded.split(":")[0])
    assert seq > 30
    assert yiwang(seeded_database, "audit", "verify", "--expect-head", recorded).returncode == 0
    cut_from = seq - 2
    run_sql(seeded_database.database_url, f"DELETE FROM audit_events WHERE seq >= {cut_from}")  # noqa: S608
    # Without the recorded head a shorter chain still looks whole; with it, the cut shows.
    assert yiwang(seeded_database, "audit", "verify").returncode == 0
    cut = yiwang(seeded_database, "audit", "verify", "--expect-head", recorded)
    assert cut.returncode == 1
    assert "deleted from its end" in cut.stderr


def test_verify_with_the_wrong_key_fails(seeded_database: Settings) -> None:
    wrong = seeded_database.model_copy(update={"secret_key": "some-other-secret-key-42"})
    result = yiwang(wrong, "audit", "verify")
    assert result.returncode == 1
    assert "edited" in result.stderr


def test_serve_with_demo_systems_stops_them_when_it_is_stopped(seeded_database: Settings) -> None:
    import signal
    import time

    import httpx

    from tests.conftest import free_port

    port, demo_port = free_port(), free_port()
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": seeded_database.database_url,
        "YIWANG_SECRET_KEY": seeded_database.secret_key,
        "YIWANG_PORT": str(port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(demo_port),
        "YIWANG_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "yiwang.cli", "serve", "--demo-systems"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{demo_port}/healthz").status_code == 200
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{demo_port}/healthz", timeout=0.5)
            except httpx.HTTPError:
                break  # nobody answers: the demo systems went with the server
            assert time.monotonic() < deadline, "the demo systems outlived the server"
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.kill()


def test_catalog_lint_and_load(seeded_database: Settings) -> None:
    lint = yiwang(seeded_database, "catalog", "lint")
    assert lint.returncode == 0, lint.stderr
    assert "0 errors" in lint.stdout
    load = yiwang(seeded_database, "catalog", "load")
    assert load.returncode == 0, load.stderr
    assert "unchanged" in load.stdout  # seed-demo loaded this very catalogue already
