"""Bot API: getUpdates long polling and the webhook methods."""

from __future__ import annotations

from typing import Any

from .emulator import Emulator
from .errors import bad_request
from .models import JSON
from .params import Params
from .registry import method
from .webhook import WebhookDelivery


def _allowed(p: Params) -> list[str] | None:
    value: Any = p.get_json("allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("can't parse allowed_updates JSON array")
    return value


@method("getUpdates")
async def get_updates(emu: Emulator, p: Params) -> list[JSON]:
    limit = p.get_int("limit") or 100
    timeout = p.get_float("timeout") or 0.0
    return await emu.get_updates(
        p.get_int("offset"), max(1, min(limit, 100)), max(0.0, min(timeout, 50.0)), _allowed(p)
    )


async def _stop_webhook(emu: Emulator) -> None:
    if emu.webhook is not None:
        old, emu.webhook = emu.webhook, None
        await old.stop()


@method("setWebhook")
async def set_webhook(emu: Emulator, p: Params) -> bool:
    url = p.get_str("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not (
        1 <= len(secret) <= 256 and secret.replace("_", "a").replace("-", "a").isalnum()
    ):
        raise bad_request("secret token contains unallowed characters")
    allowed = _allowed(p)
    if allowed is not None:
        emu.allowed_updates = allowed or None
    if p.get_bool("drop_pending_updates"):
        emu.drop_pending_updates()
    await _stop_webhook(emu)
    if url:
        from .bot_api import call_method  # late: bot_api imports this module's registry

        async def run(name: str, params: JSON) -> Any:
            return await call_method(emu, name, params)

        delivery = WebhookDelivery(
            emu,
            url,
            secret_token=secret,
            max_connections=max(1, min(p.get_int("max_connections") or 40, 100)),
            run_method=run,
        )
        emu.webhook = delivery
        delivery.start()
        emu.wake_pollers()  # a long poll still waiting must now fail with 409
    emu.publish("webhook_changed", webhook=webhook_info(emu))
    return True


@method("deleteWebhook")
async def delete_webhook(emu: Emulator, p: Params) -> bool:
    if p.get_bool("drop_pending_updates"):
        emu.drop_pending_updates()
    await _stop_webhook(emu)
    emu.publish("webhook_changed", webhook=webhook_info(emu))
    return True


def webhook_info(emu: Emulator) -> JSON:
    if emu.webhook is not None:
        return emu.webhook.info()
    info: JSON = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": emu.pending_update_count,
    }
    if emu.allowed_updates:
        info["allowed_updates"] = emu.allowed_updates
    return info


@method("getWebhookInfo")
async def get_webhook_info(emu: Emulator, p: Params) -> JSON:
    return webhook_info(emu)
