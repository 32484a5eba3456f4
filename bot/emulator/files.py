"""Stored files: uploads from the bot, generated photos from simulated users.

file_ids look like Telegram's (opaque url-safe strings) so code that logs or stores them
behaves as in production; ``file_path`` is what getFile returns and the download route serves.
"""

from __future__ import annotations

import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

_PREFIX = {"photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI"}


@dataclass(slots=True)
class FileRecord:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    content: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None
    width: int = 0
    height: int = 0

    def to_file_api(self) -> JSON:
        """The Bot API ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }

    def to_photo_size(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "width": self.width,
            "height": self.height,
        }

    def to_document(self) -> JSON:
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "mime_type": self.mime_type,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        return data


class FileStore:
    def __init__(self) -> None:
        self.by_id: dict[str, FileRecord] = {}
        self.by_path: dict[str, FileRecord] = {}
        # Every PhotoSize file_id -> the whole size list, so resending a photo by file_id
        # returns the same sizes Telegram would.
        self.photo_sets: dict[str, list[FileRecord]] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        content: bytes,
        *,
        mime_type: str,
        file_name: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> FileRecord:
        self._counter += 1
        ext = _extension(mime_type, file_name)
        folder = "photos" if kind == "photo" else "documents"
        record = FileRecord(
            file_id=_PREFIX.get(kind, "CAACAgUAAxkBAAI") + secrets.token_urlsafe(24),
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            kind=kind,
            content=content,
            file_path=f"{folder}/file_{self._counter}{ext}",
            mime_type=mime_type,
            file_name=file_name,
            width=width,
            height=height,
        )
        self.by_id[record.file_id] = record
        self.by_path[record.file_path] = record
        return record

    def add_photo(self, content: bytes, mime_type: str | None = None) -> list[FileRecord]:
        """Store a photo; return PhotoSize records, smallest first, like Telegram does."""
        width, height, sniffed = image_info(content)
        mime = mime_type or sniffed
        full = self.add("photo", content, mime_type=mime, width=width, height=height)
        if max(width, height) <= 90:
            self.photo_sets[full.file_id] = [full]
            return [full]
        # Telegram adds thumbnails; one 90-px "s" size is enough for clients to see a list.
        scale = 90 / max(width, height)
        thumb = self.add(
            "photo",
            content,
            mime_type=mime,
            width=max(1, round(width * scale)),
            height=max(1, round(height * scale)),
        )
        sizes = [thumb, full]
        self.photo_sets[thumb.file_id] = self.photo_sets[full.file_id] = sizes
        return sizes

    def photo_set(self, record: FileRecord) -> list[FileRecord]:
        return self.photo_sets.get(record.file_id, [record])

    def clear(self) -> None:
        self.by_id.clear()
        self.by_path.clear()
        self.photo_sets.clear()


def _extension(mime_type: str, file_name: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}.get(mime_type, "")


def image_info(content: bytes) -> tuple[int, int, str]:
    """(width, height, mime) for PNG/JPEG/GIF; unknown data counts as a 1x1 JPEG."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height, "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height, "image/gif"
    if content.startswith(b"\xff\xd8"):
        size = _jpeg_size(content)
        if size:
            return size[0], size[1], "image/jpeg"
    return 1, 1, "image/jpeg"


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def make_png(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    """A small solid-colour PNG (colour varies with ``seed`` so photos look different)."""
    r, g, b = (seed * 97) % 256, (seed * 57 + 120) % 256, (seed * 31 + 200) % 256
    row = b"\x00" + bytes((r, g, b)) * width
    raw = row * height

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
