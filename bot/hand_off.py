"""What the sender may send without reading the outbox: the rows this process's units of
work hand over at commit, and what the last complete read of the outbox vouches for.

The rules (the sender's docstring, ``bot/sender.py``, says why they hold): a read saw every
row up to the outbox's highest id, ``newest``; rows handed over since that continue the id
sequence without a gap were written by no one else in between (on SQLite ids follow commit
order), so one may go unread when its chat had nothing else waiting (not *unsettled*) and its
person has not blocked the bot. A chat's rows behind its own request in flight wait in its
queue here; what a read left for later, a failure, or a change in who can be reached makes
the chat (or everything) a read's again.

All of it runs on the sender's event loop, bar what :meth:`HandOff.hand_off`'s caller does in
the committing thread; it knows nothing of Telegram or of the limits.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from handlers.delivery.outbox import Due, Pending

DELIVERED_KEPT = 4096  # message ids of delivered rows remembered for the edits that follow


class HandOff:
    """The rows handed over at commit and what reads vouch for; *read_now* is the sender's
    event for "read the outbox now", set whenever a row is left to a read."""

    def __init__(self, read_now: asyncio.Event) -> None:
        self._read_now = read_now
        self.handed_in = asyncio.Event()  # rows were handed over since the last pass
        self._handed: dict[int, Pending] = {}
        # Every row up to id ``_newest`` is accounted for (-1: nothing is, read first); the
        # chats that may have rows no request was started for; people who blocked the bot.
        self._newest = -1
        self._unsettled: set[int] = set()
        self._unreachable: frozenset[int] = frozenset()
        self.forgotten = 0  # how many times what reads vouched for was dropped
        self.handing = False  # whether units of work of this process hand their rows over
        # Rows handed over that wait for their chat's request in flight.
        self.queued: dict[int, list[Pending]] = {}
        # Message ids of rows this sender delivered, newest last: an edit handed over that
        # names its message by outbox id finds it here instead of in a read.
        self._delivered: dict[int, int] = {}

    @property
    def newest(self) -> int:
        """The highest outbox id the last read accounted for (-1: none)."""
        return self._newest

    def take(self, rows: list[Pending]) -> None:
        """Rows a unit of work of this process has just committed."""
        self.handing = True  # every row this process commits comes this way
        if self._newest < 0:
            self._read_now.set()  # nothing vouched for: a read finds them
            return
        # A row up to _newest was committed before the last read, which accounted for it.
        self._handed.update((row.id, row) for row in rows if row.id > self._newest)
        self.handed_in.set()

    def settled(self) -> bool:
        """Whether no row can be waiting that a read would find (bar other processes')."""
        return self._newest >= 0 and not self._unsettled

    def forget(self) -> None:
        """Vouch for nothing any more (a read under way included): the next read starts over."""
        self.forgotten += 1
        self._newest = -1
        self._handed.clear()
        self._unsettled.clear()
        if self.queued:
            self.queued.clear()  # still pending in the outbox: a read finds them
            self._read_now.set()

    def learn(self, found: Due, excluded: set[int], left: set[int], *, forgotten: int) -> None:
        """Take what a read vouches for: *excluded* are the chats it left out (busy, limited
        or queued), *left* those whose rows it found but did not start. A read during which
        :meth:`forget` ran (*forgotten* is the count before it), or an incomplete one,
        vouches for nothing."""
        if forgotten != self.forgotten:
            found = replace(found, complete=False)
        if not found.complete:
            self.forget()
            return
        unsettled = set(found.waiting) | left | (excluded & self._unsettled)
        # The chats it left out (busy) had nothing else waiting, unless a row was written for
        # them since the last read.
        unsettled |= excluded if found.written is None else excluded & found.written
        self._unsettled = unsettled
        self._newest = found.newest
        self._unreachable = found.unreachable
        for row_id in [i for i in self._handed if i <= found.newest]:
            del self._handed[row_id]  # the read accounted for it

    def ready(self) -> tuple[list[Pending], set[int]]:
        """The handed-over rows that continue what the last read saw, to start unread or
        queue behind their chat's request, and the chats left to a read (rows waiting unseen,
        or a person who blocked the bot). A gap (a row of another process, or one still on
        its way) leaves the rest for a read."""
        self.handed_in.clear()
        ready: list[Pending] = []
        while self._newest + 1 in self._handed:
            self._newest += 1
            ready.append(self._handed.pop(self._newest))
        if self._handed:
            self._read_now.set()
        rows: list[Pending] = []
        fresh: set[int] = set()
        for row in ready:
            if row.op != "toast" and (row.chat_id in self._unsettled
                                      or row.chat_id in self._unreachable):
                fresh.add(row.chat_id)
            else:
                rows.append(row)
        return rows, fresh

    def leave_to_read(self, chats: set[int]) -> None:
        """Rows of *chats* no request was started for: a read finds them now."""
        if chats:
            self._unsettled |= chats
            self._read_now.set()

    def unsettle(self, chat_id: int) -> None:
        """A request in *chat_id* did not end in a delivery (retried, held, moved …): its
        queue goes back to the outbox, and a read finds out what waits behind it."""
        self.queued.pop(chat_id, None)
        self._unsettled.add(chat_id)

    def unreachable(self, chat_id: int) -> None:
        """Telegram refused *chat_id* (its person blocked the bot)."""
        self._unreachable |= {chat_id}

    def delivered(self, row: Pending, message_id: int | None) -> None:
        """Remember the message a send became, for the edits of it handed over later."""
        if message_id is not None and row.op == "send":
            self._delivered[row.id] = message_id
            if len(self._delivered) > DELIVERED_KEPT:
                del self._delivered[next(iter(self._delivered))]

    def shown(self, row: Pending) -> Pending:
        """*row* with the message it edits, when that is a message this sender delivered."""
        if row.op == "edit" and row.message_id is None:
            shown = self._delivered.get(row.edit_of or 0)
            if shown is not None:
                return replace(row, message_id=shown)
        return row
