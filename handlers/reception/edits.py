"""A message its sender edited afterwards. The office does not read edits: what it took in
stands, so the person is told once, in a private chat, to send the correction as a new message
(groups hear nothing: no noise on the boards). Nothing else changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_
from sqlmodel import col, select

from handlers.office.caller import Caller
from locales import _
from storage.complaints import Complaint
from storage.models import FrontDeskRequest, WorkOrder


def answer(caller: Caller) -> None:
    """Say that the edit was not read, and what became of the message it changed."""
    if caller.dialog() is not None:
        caller.reply(_("I can't read changes to a message already sent, and I am still waiting "
                       "for your answer to my last question. Please send the correction as a "
                       "new message."))
    elif _filed_since(caller, caller.event.sent_at):
        caller.reply(_("I can't read changes to a message already sent: the desk has your "
                       "original words. Please send the correction as a new message."))
    else:
        caller.reply(_("I can't read changes to a message already sent. Please send the "
                       "correction as a new message."))


def _filed_since(caller: Caller, sent_at: datetime | None) -> bool:
    """Whether this person filed a request (repair, service, desk request, complaint) at or
    after *sent_at*: the edited message was then taken in with it."""
    person = caller.person
    if person is None or person.id is None or sent_at is None:
        return False
    filed = or_(
        exists().where(col(WorkOrder.reporter_id) == person.id,
                       col(WorkOrder.created_at) >= sent_at),
        exists().where(col(FrontDeskRequest.person_id) == person.id,
                       col(FrontDeskRequest.created_at) >= sent_at),
        exists().where(col(Complaint.person_id) == person.id,
                       col(Complaint.created_at) >= sent_at))
    return bool(caller.session.exec(select(filed)).one())
