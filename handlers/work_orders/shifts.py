"""A technician's shift: on shift, new jobs of their trade count on them; off shift, they do
not (a job with nobody on shift goes to the dispatcher at once: ``routing``). ``/shift`` and
``/jobs`` show it with a button to change it. A technician off shift who taps Accept on a job
chose to work: the job is theirs and they are on shift again (``taking``)."""

from __future__ import annotations

from typing import Final

from dialogs.events import Edit
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from handlers.work_orders.lists import jobs_message
from locales import _

WORDS: Final = {"on": True, "off": False, "上班": True, "下班": False}


def command(caller: Caller, args: str) -> None:
    """``/shift`` shows where the technician stands; ``/shift on`` / ``/shift off`` sets it."""
    person = caller.person
    if person is None or person.role != "technician":
        caller.refuse(_("This command is for technicians."))
        return
    word = args.strip().lower()
    if word and word not in WORDS:
        caller.reply(_("Use /shift on or /shift off."))
        return
    if word:
        set_shift(caller, WORDS[word])
    caller.reply(*jobs_message(caller))


def tapped(caller: Caller, word: str) -> None:
    """The shift button under /jobs or /shift: the message is redrawn in place."""
    person = caller.person
    if person is None or person.role != "technician" or word not in ("on", "off"):
        caller.refuse(OUT_OF_DATE)
        return
    set_shift(caller, word == "on")
    caller.toast()
    text, keyboard = jobs_message(caller)
    caller.uow.send(Edit(caller.chat_id, text, keyboard, message_id=caller.event.message_id))


def set_shift(caller: Caller, on_shift: bool) -> None:
    """Put the calling technician on or off shift (recorded only when it changes)."""
    person = caller.person
    assert person is not None
    if person.on_shift != on_shift:
        person.on_shift = on_shift
        caller.session.add(person)
        caller.log("shift_started" if on_shift else "shift_ended")
