"""The yiwang command: serve, migrate, seed-demo, users, demo-systems (and, in admin.py, audit,
catalog, jobs and worker)."""

from __future__ import annotations

import asyncio
import getpass
import os
import subprocess
import sys
import time
from typing import Annotated

import typer

from yiwang.config import ROOT, get_settings

app = typer.Typer(
    help="yiwang (一网): one-network government services platform.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
users = typer.Typer(help="Manage accounts.", no_args_is_help=True)
audit_cli = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
jobs_cli = typer.Typer(
    help="Background work: the job outbox and deadline checks.", no_args_is_help=True
)
catalog_cli = typer.Typer(
    help="Services, bundles and data elements (definitions/).", no_args_is_help=True
)
certificates_cli = typer.Typer(
    help="Electronic licences: the departments' signing keys.", no_args_is_help=True
)
complaints_cli = typer.Typer(help="The 12345 hotline: its routing model.", no_args_is_help=True)
app.add_typer(complaints_cli, name="complaints")
app.add_typer(users, name="users")
app.add_typer(certificates_cli, name="certificates")
app.add_typer(audit_cli, name="audit")
app.add_typer(catalog_cli, name="catalog")
app.add_typer(jobs_cli, name="jobs")


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Bring the database schema up to date (alembic upgrade)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)
    typer.echo(f"database at {revision}: {_redacted(get_settings().database_url)}")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo region: departments and the demo accounts (password yiwang-demo)."""
    from yiwang import background
    from yiwang.audit import service as audit
    from yiwang.database import create_engine
    from yiwang.seed import seed_demo as run

    settings = get_settings()

    async def main() -> list[str]:
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            created = await run(engine, definitions_dir=settings.definitions_dir)
            await background.drain(engine)
            await audit.seal(engine)
            return created
        finally:
            await engine.dispose()

    created = asyncio.run(main())
    typer.echo(f"demo region loaded; {len(created)} accounts created")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (YIWANG_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (YIWANG_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo_systems: Annotated[
        bool, typer.Option("--demo-systems", help="Also start the demo department systems.")
    ] = False,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the platform over HTTP."""
    import uvicorn

    settings = get_settings()
    child = _start_demo_systems() if demo_systems else None
    try:
        typer.echo(f"yiwang on http://{host or settings.host}:{port or settings.port}")
        uvicorn.run(
            "yiwang.main:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            reload=reload,
            log_config=None,
            access_log=False,  # yiwang writes its own, with the request id and route template
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or None,
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


@app.command("demo-systems")
def demo_systems_command(
    port: Annotated[int | None, typer.Option(help="Port (YIWANG_DEMO_SYSTEMS_PORT).")] = None,
) -> None:
    """Serve the demo county's department systems (population registry, …)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "demo_systems.app:create_app",
        factory=True,
        host=settings.demo_systems_host,
        port=port or settings.demo_systems_port,
        log_level="warning",
    )


def _die_with_parent() -> None:
    """In the child: ask Linux to end it when the server that started it ends, however it ends
    (uvicorn re-raises SIGTERM after its shutdown, so a ``finally`` in the parent never runs)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _start_demo_systems() -> subprocess.Popen[bytes]:
    settings = get_settings()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "yiwang.cli", "demo-systems"],
        env=os.environ.copy(),
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads exist yet at this point
    )
    import httpx

    url = f"http://{settings.demo_systems_host}:{settings.demo_systems_port}/healthz"
    for _ in range(100):
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                typer.echo(f"demo department systems on {url.removesuffix('/healthz')}")
                return child
        except httpx.HTTPError:
            pass
        if child.poll() is not None:
            raise typer.Exit(f"the demo department systems did not start (exit {child.returncode})")
        time.sleep(0.1)
    child.terminate()
    raise typer.Exit("the demo department systems did not answer within 10 s")


@users.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    kind: Annotated[str, typer.Option(help="citizen, enterprise, staff or admin.")] = "staff",
    name: Annotated[str, typer.Option(help="Display name (a person's or enterprise's).")] = "",
    department: Annotated[str | None, typer.Option(help="Department code (staff).")] = None,
    role: Annotated[list[str], typer.Option(help="Role code; repeat for more.")] = [],  # noqa: B006
    id_number: Annotated[str | None, typer.Option(help="Resident ID number.")] = None,
    phone: Annotated[str | None, typer.Option(help="Mobile number.")] = None,
    uscc: Annotated[
        str | None, typer.Option(help="Unified social credit code (enterprise).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account (staff, admin, enterprise or citizen) as an operator."""
    from yiwang import background
    from yiwang.audit import service as audit
    from yiwang.catalog import repository as catalog_repo
    from yiwang.database import create_engine, transaction
    from yiwang.errors import YiwangError
    from yiwang.identity import service as identity

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass()
    settings = get_settings()
    actor = audit.SystemActor(label=f"operator:{getpass.getuser()}")

    async def main() -> None:
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            async with transaction(engine) as db:
                if department is not None:
                    found = await catalog_repo.department(db, department)
                    if found is None:
                        raise YiwangError("unknown_department", params={"code": department})
                    known = {r["code"] for r in found.roles}
                    for r in role:
                        if r not in known:
                            raise YiwangError(
                                "unknown_role", params={"department": department, "role": r}
                            )
                await identity.create_account(
                    db,
                    actor=actor,
                    kind=kind,
                    username=username,
                    name=name or username,
                    password=password,
                    id_number=id_number,
                    phone=phone,
                    uscc=uscc,
                    department_code=department,
                    roles=role,
                )
            await background.drain(engine)
            await audit.seal(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(main())
    except YiwangError as exc:
        typer.echo(f"{exc.code}: {exc.message('zh')} / {exc.message('en')}", err=True)
        for detail in exc.details:
            typer.echo(f"  {detail['field']}: {detail['code']}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"account {username} created")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


# The audit, catalog, jobs and worker commands live beside this file; importing them registers
# them on the typers above.
from yiwang.cli import admin  # noqa: E402

__all__ = ["admin", "app"]
