"""``frontline sandbox``: the whole office in a browser, on this machine, without a bot token."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.stopping import StopSignals

if TYPE_CHECKING:
    from bot.sandbox.server import Options

READY_PREFIX = "Frontline sandbox: "


def _logging(data: Path | None) -> None:
    """Warnings to the terminal; the full story to sandbox.log when state is kept."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(terminal)
    if data is not None:
        data.mkdir(parents=True, exist_ok=True)
        log_file = logging.FileHandler(data / "sandbox.log", encoding="utf-8")
        log_file.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(log_file)
    for noisy in ("aiogram.event", "aiogram.dispatcher", "httpx", "aiohttp.access", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _announce(url: str) -> None:
    # The one line a person (or a test) waits for; flushed because stdout may be a pipe.
    print(f"{READY_PREFIX}{url}", flush=True)


async def _main(options: Options, signals: StopSignals) -> None:
    from bot.sandbox.server import Sandbox
    sandbox = Sandbox(options, _announce)
    # Ctrl-C or SIGTERM stops it once and cleanly; a second SIGINT (``uv run`` forwards the
    # terminal's Ctrl-C again about 200 ms later) does not cut the shutdown short.
    signals.bind(sandbox.stop_requested)
    await sandbox.run()
    logging.getLogger(__name__).info("sandbox: stopped")


def sandbox(
    port: Annotated[int, typer.Option(
        help="Port on 127.0.0.1 for the web view (0 picks a free one).")] = 8000,
    data: Annotated[Path | None, typer.Option(
        help="Keep the sandbox's database, chats and clock in this folder between runs.")] = None,
    framework: Annotated[str, typer.Option(
        help="Which Telegram framework the real bot runs on: aiogram or ptb.")] = "aiogram",
) -> None:
    """Try the whole office in a browser: emulator, real bot, demo estate, web view."""
    if framework not in ("aiogram", "ptb"):
        raise typer.BadParameter("aiogram or ptb", param_hint="--framework")
    if not 0 <= port <= 65535:
        raise typer.BadParameter("0 to 65535", param_hint="--port")
    _logging(data)
    # Imported here, not at the top: ``frontline --help`` should not pay for the emulator.
    from bot.sandbox.actors import SeedingError
    from bot.sandbox.server import Options
    try:
        with StopSignals("sandbox") as signals:
            asyncio.run(_main(Options(port=port, data=data, framework=framework), signals))
    except OSError as error:  # the port is taken, the data folder is not writable …
        typer.echo(f"frontline sandbox: {error}", err=True)
        raise typer.Exit(1) from None
    except SeedingError as error:
        typer.echo(f"frontline sandbox: the demo estate could not be set up: {error}"
                   + (f" (details in {data / 'sandbox.log'})" if data else ""), err=True)
        raise typer.Exit(1) from None
