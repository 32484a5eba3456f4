"""Stand-in cores for runtime tests that are about Telegram plumbing, not the office's rules.

``EchoCore`` behaves like the real ``handlers.reception.entry.handle`` where the runtime can tell:
one transaction per event, deduped on ``event.key``, answers written to the outbox.
"""

from __future__ import annotations

import threading
import time

from dialogs.events import Button, Edit, Event, EventKind, Say, Toast, inline
from handlers.office import Office
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw


def describe(event: Event) -> str:
    """A one-line echo that shows what the adapter understood."""
    parts = [event.kind.value]
    if event.command:
        parts.append(f"/{event.command}")
    if event.text:
        parts.append(event.text)
    if event.photo_file_ids:
        parts.append(f"{len(event.photo_file_ids)} photo")
    if event.contact_phone:
        parts.append(event.contact_phone)
    if event.latitude is not None:
        parts.append(f"{event.latitude:.3f},{event.longitude:.3f}")
    return " ".join(parts)


class EchoCore:
    """Record every event once and answer it; a tap edits its message and gets a toast."""

    def __init__(self, delay: float = 0.0) -> None:
        self.events: list[Event] = []
        self.calls = 0
        self.delay = delay  # seconds of pretend work, to widen race windows
        self._lock = threading.Lock()

    def __call__(self, office: Office, event: Event) -> None:
        """Handle one event in one transaction, once per key."""
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        with UnitOfWork(office) as uow:
            if not uow.claim(event.key):
                return
            if event.kind is EventKind.BUTTON:
                data = event.button_data
                uow.send(Toast(event.callback_id, event.user_id, Raw(f"tapped {data}")),
                         Edit(event.chat_id, Raw(f"pressed {data}"),
                              message_id=event.message_id))
            elif event.kind not in (EventKind.USER_BLOCKED_BOT, EventKind.BOT_REMOVED):
                keyboard = inline((Button(Raw("again"), f"again:{event.key}"),))
                uow.send(Say(event.chat_id, Raw(describe(event)), keyboard))
            uow.commit()
        with self._lock:
            self.events.append(event)

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events]
