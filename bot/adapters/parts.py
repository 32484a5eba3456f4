"""How one outbox ``send`` row becomes Bot API messages: photos, then text in ≤ 4096 chunks.

A photo is a Telegram file_id, or a ``file://`` URI of a local file (the report's charts),
which each adapter uploads as multipart (:func:`local_file`).

A row whose message may be edited later (it has an inline keyboard or a ``ref``) keeps its
text in a plain text message, because ``editMessageText`` cannot edit a photo's caption.
Otherwise a short text rides along as the caption, which saves a message (and a rate slot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from bot.adapters.base import KeyboardJson, Rejected, Transport

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Part:
    """One Bot API call of a send; ``messages`` is how many messages Telegram counts."""

    photos: tuple[str, ...] = ()
    text: str = ""
    keyboard: KeyboardJson | None = None

    @property
    def messages(self) -> int:
        return max(1, len(self.photos))

    async def send(self, transport: Transport, chat_id: int) -> list[int]:
        """Send this part; returns its messages' ids, first the one a later edit would use
        (all of them, for a recall to delete)."""
        if not self.photos:
            return [await transport.send_text(chat_id, self.text, self.keyboard)]
        if len(self.photos) == 1:
            return [await transport.send_photo(chat_id, self.photos[0], self.text,
                                               self.keyboard)]
        return await transport.send_album(chat_id, self.photos, self.text)


def local_file(photo: str) -> Path | None:
    """The file a ``file://`` photo names (a chart the office drew, uploaded as multipart),
    or None for a Telegram file_id or URL. Raises :class:`Rejected` if the file is gone: the
    row would never succeed, so it fails at once instead of being retried."""
    if not photo.startswith("file://"):
        return None
    path = Path(url2pathname(urlparse(photo).path))
    if not path.is_file():
        raise Rejected(f"the photo file {path} does not exist on this machine")
    return path


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut *text* into chunks of at most *limit* characters, at line breaks where possible."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks


def plan_parts(text: str, keyboard: KeyboardJson | None, photos: Sequence[str],
               editable: bool) -> list[Part]:
    """The calls that deliver one send row, in order; the keyboard rides on the last one."""
    albums = [tuple(photos[i:i + ALBUM_LIMIT]) for i in range(0, len(photos), ALBUM_LIMIT)]
    if not albums:
        chunks = split_text(text)
        return [Part(text=c, keyboard=keyboard if i == len(chunks) - 1 else None)
                for i, c in enumerate(chunks)]
    inline = bool(keyboard and "inline" in keyboard)
    # An album cannot carry a keyboard at all; a single photo can, except one we may edit.
    fits = len(text) <= CAPTION_LIMIT and not editable and not inline
    if fits and (len(albums[-1]) == 1 or keyboard is None):
        last = albums[-1]
        return [Part(photos=a) for a in albums[:-1]] + [
            Part(photos=last, text=text, keyboard=keyboard if len(last) == 1 else None)]
    parts = [Part(photos=a) for a in albums]
    if text or keyboard:
        chunks = split_text(text or "…")
        parts += [Part(text=c, keyboard=keyboard if i == len(chunks) - 1 else None)
                  for i, c in enumerate(chunks)]
    return parts


def plan_send(row: Any) -> list[Part]:
    """Plan an outbox send row (a ``handlers.delivery.outbox.Pending``)."""
    editable = bool(row.ref) or bool(row.keyboard and "inline" in row.keyboard)
    return plan_parts(row.text, row.keyboard, row.photos, editable)
