"""``python -m bot.emulator --port N [--token T] [--enforce-limits]``

Prints ``EMULATOR_URL=http://127.0.0.1:PORT`` once listening, so a parent process can read it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .ratelimit import RateLimits
from .server import start_emulator


async def _serve(args: argparse.Namespace) -> None:
    running = await start_emulator(
        args.host,
        args.port,
        token=args.token,
        rate_limits=RateLimits() if args.enforce_limits else None,
        group_privacy=args.group_privacy,
    )
    print(f"EMULATOR_URL={running.url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument(
        "--enforce-limits", action="store_true", help="answer 429 beyond Telegram's send limits"
    )
    parser.add_argument(
        "--group-privacy",
        action="store_true",
        help="bot sees only commands/replies/mentions in groups",
    )
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
