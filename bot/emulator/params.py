"""Bot API request parameters, however they arrived.

Telegram accepts the same call as a GET query, JSON, url-encoded or multipart form. In forms
every value is a string and objects are JSON-encoded strings (aiogram and PTB both do this),
so the getters coerce, and a file may be an upload part, an ``attach://name`` reference to
one, a file_id, or a URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request


@dataclass(slots=True)
class Upload:
    content: bytes
    filename: str | None
    content_type: str | None


_TRUE = {"true", "1", "yes", "on"}


class Params:
    def __init__(self, values: Mapping[str, Any], files: Mapping[str, Upload] | None = None):
        self.values = dict(values)
        self.files = dict(files or {})

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None if value is None else ""
        return value if isinstance(value, str) else str(value)

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in _TRUE

    def get_json(self, name: str) -> Any:
        """An object/array parameter: JSON text in forms, a native value in JSON bodies."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else text

    def file_ref(self, value: Any) -> Upload | str | None:
        """Resolve a file-valued parameter: an Upload, or a file_id / URL string."""
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"file for {value} not found in the request")
            return upload
        if isinstance(value, str):
            return value or None
        return None

    def file(self, name: str) -> Upload | str | None:
        if name in self.files:
            return self.files[name]
        return self.file_ref(self.values.get(name))


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.body_exists:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            values.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, item in form.items():
                if isinstance(item, web.FileField):
                    files[key] = Upload(item.file.read(), item.filename, item.content_type)
                else:
                    values[key] = item
    return Params(values, files)
