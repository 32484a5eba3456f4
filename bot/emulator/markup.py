"""reply_markup: validation with Telegram's error texts, and button look-up for user presses."""

from __future__ import annotations

from typing import Any

from .errors import BUTTON_DATA_INVALID, ApiError, bad_request
from .models import JSON, drop_none

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_BAD_MARKUP = "can't parse reply keyboard markup JSON object"


def _markup_error() -> ApiError:
    return bad_request(_BAD_MARKUP)


def normalize_markup(value: Any) -> JSON | None:
    """Validate a reply_markup object; returns it without nulls (None if absent)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _markup_error()
    markup: JSON = dict(drop_none(value))
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_rows(markup["inline_keyboard"])}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _markup_error()
        # Plain strings are an old but still accepted way to write a text button.
        markup["keyboard"] = [
            [{"text": b} if isinstance(b, str) else _reply_button(b) for b in row] for row in rows
        ]
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise _markup_error()


def _inline_rows(rows: Any) -> list[list[JSON]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _markup_error()
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _markup_error()
            actions = [k for k in _INLINE_ACTIONS if k in button]
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str) or not data or len(data.encode()) > 64
            ):
                raise bad_request(BUTTON_DATA_INVALID)
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return rows


def _reply_button(button: Any) -> JSON:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _markup_error()
    return button


def find_inline_button(
    markup: JSON | None, *, callback_data: str | None = None, text: str | None = None
) -> JSON | None:
    if not markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if callback_data is not None and button.get("callback_data") == callback_data:
                return dict(button)
            if callback_data is None and text is not None and button.get("text") == text:
                return dict(button)
    return None


def find_reply_button(keyboard: JSON | None, text: str) -> JSON | None:
    if not keyboard:
        return None
    for row in keyboard.get("keyboard", []):
        for button in row:
            if button.get("text") == text:
                return dict(button)
    return None
