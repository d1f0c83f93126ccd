"""yiwang audit …, catalog …, jobs … and worker: the operators' commands."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from yiwang.cli import app, audit_cli, catalog_cli, certificates_cli, complaints_cli, jobs_cli
from yiwang.config import get_settings


@audit_cli.command("verify")
def audit_verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="A head recorded earlier with `yiwang audit head` (SEQ:HASH): also proves that "
            "no rows were cut from the end of the chain since."
        ),
    ] = None,
) -> None:
    """Check the hash chain; exits 1 and names the first bad row if anything was tampered with."""
    from yiwang.audit import service as audit
    from yiwang.database import create_engine

    settings = get_settings()
    expected = None
    if expect_head:
        seq, _, digest = expect_head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise typer.BadParameter("expected SEQ:HASH, as `yiwang audit head` prints it")
        expected = (int(seq), digest)

    async def main() -> audit.Verification:
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            return await audit.verify(engine, expect_head=expected)
        finally:
            await engine.dispose()

    result = asyncio.run(main())
    if result.ok:
        typer.echo(
            f"audit chain intact: {result.checked} sealed rows, {result.unsealed} awaiting seal"
        )
        return
    typer.echo(
        f"audit chain BROKEN at seq={result.first_bad_seq} id={result.first_bad_id}: "
        f"{result.problem} ({result.checked} rows checked)",
        err=True,
    )
    raise typer.Exit(1)


@audit_cli.command("head")
def audit_head() -> None:
    """Print the chain's head (SEQ:HASH); keep it elsewhere and pass it to verify later."""
    from yiwang.audit import service as audit
    from yiwang.database import create_engine

    async def main() -> tuple[int, str] | None:
        engine = create_engine(get_settings().database_url)
        try:
            return await audit.head(engine)
        finally:
            await engine.dispose()

    found = asyncio.run(main())
    typer.echo(f"{found[0]}:{found[1]}" if found else "0:" + "0" * 64)


@audit_cli.command("seal")
def audit_seal() -> None:
    """Seal committed audit rows into the chain now (the server does this after every commit)."""
    from yiwang.audit import service as audit
    from yiwang.database import create_engine

    async def main() -> int:
        settings = get_settings()
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            return await audit.seal(engine)
        finally:
            await engine.dispose()

    typer.echo(f"{asyncio.run(main())} rows sealed")


@catalog_cli.command("lint")
def catalog_lint(
    directory: Annotated[
        Path | None, typer.Option(help="Definitions folder (YIWANG_DEFINITIONS_DIR).")
    ] = None,
) -> None:
    """Find unreachable steps, roles nobody holds, fields without a data element, and bundles
    whose merged form conflicts; exits 1 on any error."""
    from yiwang.catalog.definitions import DefinitionError
    from yiwang.catalog.lint import lint
    from yiwang.catalog.loader import load_catalog

    folder = directory or get_settings().definitions_dir
    try:
        problems = lint(load_catalog(folder))
    except DefinitionError as exc:
        for problem in str(exc).split("; "):
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    for problem in problems:
        typer.echo(str(problem), err=problem.severity == "error")
    errors = sum(p.severity == "error" for p in problems)
    typer.echo(f"{errors} errors, {len(problems) - errors} warnings")
    if errors:
        raise typer.Exit(1)


@catalog_cli.command("load")
def catalog_load(
    directory: Annotated[
        Path | None, typer.Option(help="Definitions folder (YIWANG_DEFINITIONS_DIR).")
    ] = None,
) -> None:
    """Load definitions/ as the new catalogue; running servers pick it up within seconds."""
    from yiwang import background
    from yiwang.audit import service as audit
    from yiwang.catalog import snapshots
    from yiwang.catalog.definitions import DefinitionError
    from yiwang.database import create_engine, transaction

    settings = get_settings()
    folder = directory or settings.definitions_dir

    async def main() -> snapshots.LoadResult:
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            async with transaction(engine) as db:
                result = await snapshots.load(
                    db,
                    actor=audit.SystemActor(label=f"operator:{getpass.getuser()}"),
                    directory=folder,
                )
            await background.drain(engine)
            await audit.seal(engine)
            return result
        finally:
            await engine.dispose()

    try:
        result = asyncio.run(main())
    except DefinitionError as exc:
        for problem in str(exc).split("; "):
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    for warning in result.warnings:
        typer.echo(str(warning))
    if result.new:
        typer.echo(f"catalogue loaded as snapshot {result.snapshot_id}")
    else:
        typer.echo(f"catalogue unchanged (snapshot {result.snapshot_id})")


async def _deadline_pass(engine, calendar) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from yiwang.applications import deadlines
    from yiwang.complaints import service as complaints
    from yiwang.database import transaction
    from yiwang.ratings import service as ratings

    async with transaction(engine) as db:
        result = await deadlines.check_deadlines(db, calendar=calendar)
    async with transaction(engine) as db:  # 12345 tickets and bad-rating rectifications
        result["tickets_escalated"] = await complaints.check_deadlines(db)
        result["rectifications_escalated"] = await ratings.check_deadlines(db)
    return result


def _worker_setup():  # type: ignore[no-untyped-def]
    from yiwang import jobs
    from yiwang.audit import service as audit
    from yiwang.certificates import service as certificates
    from yiwang.certificates.keys import KeyRing
    from yiwang.database import create_engine
    from yiwang.kit.workdays import WorkdayCalendar
    from yiwang.notifications import service as notifications

    settings = get_settings()
    engine = create_engine(settings.database_url)
    audit.bind_key(engine, settings.audit_hmac_key)
    notifications.configure([notifications.LogFileChannel(settings.notification_log)])
    jobs.configure(lease_seconds=settings.job_lease_seconds)
    certificates.configure(
        base_url=settings.public_url,
        keyring=KeyRing(settings.keys_dir),
        font_path=settings.pdf_font or None,
    )
    return engine, WorkdayCalendar.from_directory(settings.definitions_dir / "calendar")


@complaints_cli.command("retrain")
def complaints_retrain(
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Only if no model is stored yet (make run).")
    ] = False,
) -> None:
    """Learn from the dispatch history and every re-routing since; servers switch within seconds."""
    from yiwang.complaints import definitions as hotline_definitions
    from yiwang.complaints import service as complaints
    from yiwang.database import transaction
    from yiwang.kit.workdays import WorkdayCalendar

    settings = get_settings()

    async def main() -> dict[str, Any]:
        engine, _ = _worker_setup()
        hotline = complaints.Hotline(
            definitions=hotline_definitions.load(settings.definitions_dir),
            calendar=WorkdayCalendar.from_directory(settings.definitions_dir / "calendar"),
            directory=settings.definitions_dir,
        )
        try:
            async with transaction(engine) as db:
                if if_missing and await complaints.has_stored_model(db):
                    return {}
                return await complaints.retrain(db, hotline=hotline)
        finally:
            await audit_drain(engine)
            await engine.dispose()

    result = asyncio.run(main())
    if not result:
        typer.echo("a routing model is stored already")
        return
    typer.echo(
        f"model {result['model_id']}: {result['examples']} examples "
        f"({result['corrections']} re-routings), held-out accuracy {result['heldout_accuracy']:.1%}"
    )


async def audit_drain(engine) -> None:  # type: ignore[no-untyped-def]
    """Seal what the command wrote into the audit chain before it exits."""
    from yiwang import background
    from yiwang.audit import service as audit

    await background.drain(engine)
    await audit.seal(engine)


@certificates_cli.command("rotate-key")
def certificates_rotate_key(
    department: Annotated[str, typer.Option(help="The issuing department's code, e.g. samr.")],
) -> None:
    """Give a department a new signing key; licences signed by its old keys still verify."""
    from yiwang.catalog.definitions import load_departments
    from yiwang.certificates.keys import KeyRing

    settings = get_settings()
    if department not in {d.code for d in load_departments(settings.definitions_dir)}:
        raise typer.BadParameter(f"no department {department}")
    key_id = KeyRing(settings.keys_dir).rotate(department)
    typer.echo(f"{department} now signs with {key_id} ({settings.keys_dir / department})")


@certificates_cli.command("keys")
def certificates_keys() -> None:
    """List every signing key: department, key id, active or retired."""
    from yiwang.certificates.keys import KeyRing

    for key in KeyRing(get_settings().keys_dir).public_keys():
        typer.echo(f"{key['department']}\t{key['key_id']}\t{key['status']}")


@jobs_cli.command("run")
def jobs_run() -> None:
    """Run every job that is due now, once (the server does this after each commit)."""
    from yiwang import background, jobs
    from yiwang.audit import service as audit

    async def main() -> int:
        engine, _ = _worker_setup()
        try:
            ran = await jobs.run_pending(engine)
            await background.drain(engine)
            await audit.seal(engine)
            return ran
        finally:
            await engine.dispose()

    typer.echo(f"{asyncio.run(main())} jobs run")


@jobs_cli.command("deadlines")
def jobs_deadlines() -> None:
    """Warn officers of tasks due the next working day; escalate overdue ones (督办)."""
    from yiwang import background, jobs
    from yiwang.audit import service as audit

    async def main() -> dict[str, int]:
        engine, calendar = _worker_setup()
        try:
            result = await _deadline_pass(engine, calendar)
            await jobs.run_pending(engine)
            await background.drain(engine)
            await audit.seal(engine)
            return result
        finally:
            await engine.dispose()

    result = asyncio.run(main())
    typer.echo(f"{result['warned']} tasks warned, {result['escalated']} escalated")


@app.command()
def worker(
    interval: Annotated[float, typer.Option(help="Seconds between outbox passes.")] = 2.0,
    deadline_every: Annotated[float, typer.Option(help="Seconds between deadline checks.")] = 300,
) -> None:
    """Run background work for every instance: the job outbox and the deadline checks."""
    import time as clock

    from yiwang import background, jobs
    from yiwang.audit import service as audit

    async def main() -> None:
        engine, calendar = _worker_setup()
        last_check = 0.0
        try:
            while True:
                if clock.monotonic() - last_check >= deadline_every:
                    await _deadline_pass(engine, calendar)
                    last_check = clock.monotonic()
                await jobs.run_pending(engine)
                await audit.seal(engine)
                await asyncio.sleep(interval)
        finally:
            await background.drain(engine)
            await engine.dispose()

    typer.echo("yiwang worker: outbox and deadlines (Ctrl+C to stop)")
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        typer.echo("worker stopped")
