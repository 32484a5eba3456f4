"""The person the office is serving right now: their event, the unit of work, how to answer.

Whoever writes or taps — resident, technician, dispatcher — is the caller of that moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from dialogs import answers
from dialogs.events import Edit, Event, EventKind, Keyboard, Priority, Say, Toast, inline
from dialogs.model import Conversation, DialogContext, Outcome, Unit, VisitHours
from handlers.office import conversations
from handlers.office.people import households_of, unit_label
from handlers.office.rules import SLOTS
from handlers.office.unit_of_work import UnitOfWork
from locales import Language, Text, _
from storage.models import Person, WorkOrder


@dataclass
class Caller:
    """The person who wrote or tapped, and their event, inside one transaction."""

    uow: UnitOfWork
    event: Event
    person: Person | None
    language: Language
    toasted: bool = field(default=False)
    _context: DialogContext | None = field(default=None, repr=False)

    @property
    def session(self) -> Session:
        """The database session of this unit of work."""
        return self.uow.session

    @property
    def now(self) -> datetime:
        """The office clock's time for this event."""
        return self.uow.now

    @property
    def chat_id(self) -> int:
        """The chat the event came from."""
        return self.event.chat_id

    def reply(self, text: Text, keyboard: Keyboard | None = None,
              priority: int = Priority.INTERACTIVE) -> None:
        """Answer in the chat the event came from."""
        self.uow.send(Say(self.chat_id, text, keyboard, priority=priority))

    def toast(self, text: Text = "", alert: bool = False) -> None:
        """Answer the tapped button (once per tap)."""
        if self.event.kind is EventKind.BUTTON and not self.toasted:
            self.uow.send(Toast(self.event.callback_id, self.event.user_id, text, alert))
            self.toasted = True

    def refuse(self, text: Text) -> None:
        """Say no politely: as a toast for a tap, as a message otherwise."""
        if self.event.kind is EventKind.BUTTON:
            self.toast(text, alert=True)
        else:
            self.reply(text)

    def dialog(self) -> Conversation | None:
        """The conversation under way in this chat with this person, if any."""
        return conversations.load(self.session, self.chat_id, self.event.user_id)

    def save_dialog(self, conversation: Conversation | None) -> None:
        """Store this chat's conversation (None ends it)."""
        conversations.save(self.session, self.chat_id, self.event.user_id, conversation, self.now)

    def log(self, action: str, order: WorkOrder | None = None, **detail: Any) -> None:
        """Record what happened in the event log, with who did it from which chat."""
        self.uow.log(action, order=order, actor=self.person, telegram_user_id=self.event.user_id,
                     chat_id=self.chat_id, **detail)

    def context(self) -> DialogContext:
        """What the dialogs may know about this person (read once per event)."""
        if self._context is not None and self._context.language == self.language:
            return self._context
        households = households_of(self.session, self.person)
        units = tuple(Unit(h.id, unit_label(h)) for h in households if h.id is not None)
        roster_phone = households[0].phone if households else (
            self.person.phone if self.person is not None else "")
        self._context = DialogContext(chat_id=self.chat_id, language=self.language,
                                      units=units, roster_phone=roster_phone,
                                      catalog=self.uow.office.catalog.items,
                                      hotline=self.uow.office.rules.hotline,
                                      visits=self._visit_hours())
        return self._context

    def _visit_hours(self) -> VisitHours:
        office = self.uow.office
        rules = office.rules.appointments
        today = self.uow.now.astimezone(office.timezone).date()
        # The days the technician's window buttons offer (visit_windows.offered): the open
        # days of the office calendar.
        days = (today + timedelta(days=n) for n in range(32))
        return VisitHours(now=self.uow.now.astimezone(office.timezone),
                          open_days=frozenset(d for d in days if office.hours.is_open_day(d)),
                          windows={slot: rules.window(slot) for slot in SLOTS},
                          point=timedelta(minutes=rules.typed_time_minutes),
                          last_call=timedelta(minutes=rules.minutes_left_to_offer))

    def ask_privately(self, purpose: str, subject_id: int, label: str,
                      ready: Sequence[answers.Ready] = ()) -> None:
        """Ask a question tapped in a group in the tapper's private chat, where they answer.

        The answer arrives as an ``AnswerText`` for *purpose* (see ``dialogs.answers``);
        *ready* answers are offered as buttons.
        """
        user_id = self.event.user_id
        outcome = answers.ask(DialogContext(chat_id=user_id, language=self.language),
                              conversations.new_nonce(), purpose, subject_id, label, ready)
        self.start_dialog(outcome, user_id)
        self.toast(_("I asked you in our private chat."))

    def start_dialog(self, outcome: Outcome, chat_id: int | None = None) -> None:
        """Start *outcome*'s dialog with the tapper in *chat_id* (this chat by default) from
        a handler, as the reception would: a question asked there before is superseded (it
        loses its buttons), and the new ones lose theirs once answered."""
        chat = self.chat_id if chat_id is None else chat_id
        conversations.save(self.session, chat, self.event.user_id if chat == self.chat_id
                           else chat, outcome.conversation, self.now)
        self.uow.send(Edit(chat, "", inline(), ref=conversations.PROMPT),
                      *conversations.mark_questions(chat, outcome.replies))
