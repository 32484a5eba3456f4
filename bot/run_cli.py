"""``frontline run``: the command itself, kept light to import.

Only the settings are read before the token is checked, so a missing or malformed token is
answered in a fraction of a second; the runtime (SQLAlchemy, the handlers, the framework) is
imported after that, and the triage model warms up in the background once polling has
started (``bot/runtime.py``).
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from bot.settings import Settings

# What BotFather hands out: the bot's numeric id, a colon, then the secret part.
TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
GET_A_TOKEN = "copy it from @BotFather in Telegram (/mybots → your bot → API Token)"


def token_problem(token: str) -> str | None:
    """Why *token* cannot be a bot token (one line for the operator), or None."""
    if not token:
        return ("FRONTLINE_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
                "(/newbot) and put the token it gives you in FRONTLINE_BOT_TOKEN (the "
                "environment or a .env file in this folder); to try Frontline without a "
                "token, run `frontline sandbox`")
    if not TOKEN_SHAPE.fullmatch(token):
        return ("FRONTLINE_BOT_TOKEN does not look like a bot token (digits, a colon, then "
                f"letters, as in 123456789:AAE…); {GET_A_TOKEN}")
    return None


def run_command(
    webhook: Annotated[str | None, typer.Option(
        "--webhook", metavar="URL",
        help="Public HTTPS URL of this bot behind the proxy; without it, long polling.")] = None,
) -> None:
    """Run the bot: long polling by default, or a webhook server with --webhook URL."""
    settings = Settings()
    problem = token_problem(settings.bot_token.get_secret_value())
    if problem:
        typer.echo(f"frontline run: {problem}", err=True)
        raise typer.Exit(2)
    import asyncio
    import logging

    from bot.adapters.base import TokenRejected
    from bot.bootstrap import build_office, prepare_database
    from bot.runtime import close_database, office_services, run_bot
    from bot.stopping import StopSignals

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "aiogram.event", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with StopSignals("runtime") as signals:
        prepare_database(settings)
        office = build_office(settings)

        async def main() -> None:
            await run_bot(settings, webhook_url=webhook, office=office,
                          stop=signals.bind(asyncio.Event()),
                          extra_services=office_services(office, settings),
                          freeze_start_up=True)

        try:
            asyncio.run(main())
        except TokenRejected as error:
            typer.echo(f"frontline run: the Bot API at {settings.api_base} rejected "
                       f"FRONTLINE_BOT_TOKEN ({error}: the token is wrong or was revoked); "
                       f"{GET_A_TOKEN}", err=True)
            raise typer.Exit(1) from None
        finally:
            close_database(office)


if __name__ == "__main__":
    typer.run(run_command)
