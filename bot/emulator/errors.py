"""Bot API error values, worded exactly as Telegram words them.

Clients branch on the HTTP status and sometimes on the description text (PTB strips the
"Bad Request: " prefix, aiogram keeps it), so the wording here is copied from real responses.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


UNAUTHORIZED = ApiError(401, "Unauthorized")
METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
FILE_NOT_FOUND = ApiError(404, "Not Found")

CHAT_NOT_FOUND = "chat not found"
USER_NOT_FOUND = "user not found"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
MESSAGE_CANT_BE_DELETED = "message can't be deleted for everyone"
MESSAGE_CANT_BE_EDITED = "message can't be edited"
REPLY_NOT_FOUND = "message to be replied not found"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
INVALID_FILE_ID = "invalid file_id"

BOT_BLOCKED = "bot was blocked by the user"
BOT_CANT_INITIATE = "bot can't initiate conversation with a user"
BOT_KICKED_GROUP = "bot was kicked from the group chat"
BOT_KICKED_SUPERGROUP = "bot was kicked from the supergroup chat"
BOT_NOT_MEMBER = "bot is not a member of the group chat"
BOT_NOT_MEMBER_SUPERGROUP = "bot is not a member of the supergroup chat"

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ControlError(Exception):
    """A control-API failure (bad simulated action): ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
