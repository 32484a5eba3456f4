"""Follow-ups after intake: callback surveys, dispatch and phone-callback tasks, quota duties.

The router hands these buttons and answers here; this module decides what they mean and
which handler acts. Button data is untrusted: it is parsed strictly and every handler
re-checks who may do what to which survey or order now.

| verb | where | data | handler |
|---|---|---|---|
| ``sv``  | private | ``sv:<survey>:<1-5>`` | the resident's rating |
| ``svs`` | private | ``svs:<survey>`` | skip the comment |
| ``as``  | dispatch | ``as:<order>:<person>`` | assign to a technician |
| ``cc``  | dispatch | ``cc:<survey>:<class>`` | correct the callback class |
| ``pc``  | dispatch | ``pc:<survey>:<p|o|n>:<1-5|0>`` | phone / on-site result, no answer |
| ``pn``  | dispatch | ``pn:<survey>`` | add a note (asked privately) |
| ``cr``  | managers, dispatch | ``cr:<survey>`` | corrective task done |
| ``sc``  | managers | ``sc:<survey>`` | a manager's spot check |
| ``os``  | dispatch | ``os:<survey>`` | an on-site callback |
| ``fd``  | dispatch, managers | ``fd:<request>`` | answer a front-desk request (privately) |
"""

from __future__ import annotations

from collections.abc import Callable

from dialogs.model import AnswerText
from dialogs.survey import parse
from handlers import callbacks, deadlines, frontdesk, orders, surveys
from handlers.visit import Visit
from storage.models import StaffChat

# Answers to questions asked with dialogs.answers, by purpose. Looked up when called, not
# when imported: handlers.orders imports this module, and these modules import orders.
ANSWERS: dict[str, Callable[[Visit, AnswerText], None]] = {
    "survey_comment": lambda v, command: surveys.comment(v, command),
    "phone_result": lambda v, command: callbacks.note(v, command),
    "front_desk_reply": lambda v, command: frontdesk.send_reply(v, command),
}
_SINGLE: dict[str, Callable[[Visit, StaffChat, int], None]] = {
    "pn": lambda v, board, i: callbacks.ask_note(v, board, i),
    "cr": lambda v, board, i: callbacks.corrected(v, board, i),
    "sc": lambda v, board, i: callbacks.spot_check(v, board, i),
    "os": lambda v, board, i: callbacks.onsite(v, board, i),
    "fd": lambda v, board, i: frontdesk.ask_reply(v, board, i),
}
_VIA = {"p": "phone", "o": "onsite"}


def private_button(v: Visit, verb: str, data: str) -> bool:
    """Handle a follow-up button tapped in a private chat; False if the verb is not ours."""
    if verb == "sv":
        parts = parse(data, "sv", 2)
        if parts is None or not parts[1].isdigit():
            v.refuse(orders.STALE)
        else:
            surveys.rate(v, int(parts[0]), int(parts[1]))
        return True
    if verb == "svs":
        parts = parse(data, "svs", 1)
        if parts is None:
            v.refuse(orders.STALE)
        else:
            surveys.skip_comment(v, int(parts[0]))
        return True
    return False


def group_button(v: Visit, board: StaffChat, verb: str, data: str) -> bool:
    """Handle a follow-up button tapped in a staff group; False if the verb is not ours."""
    if verb in _SINGLE:
        parts = parse(data, verb, 1)
        if parts is None:
            v.refuse(orders.STALE)
        else:
            _SINGLE[verb](v, board, int(parts[0]))
        return True
    if verb == "as":
        parts = parse(data, "as", 2)
        if parts is None or not parts[1].isdigit():
            v.refuse(orders.STALE)
        else:
            deadlines.assign(v, board, int(parts[0]), int(parts[1]))
        return True
    if verb == "cc":
        parts = parse(data, "cc", 2)
        if parts is None:
            v.refuse(orders.STALE)
        else:
            callbacks.correct_class(v, board, int(parts[0]), parts[1])
        return True
    if verb == "pc":
        return _phone_result(v, board, data)
    return False


def _phone_result(v: Visit, board: StaffChat, data: str) -> bool:
    parts = parse(data, "pc", 3)
    if parts is None or not parts[2].isdigit() or parts[1] not in ("p", "o", "n"):
        v.refuse(orders.STALE)
    elif parts[1] == "n":
        callbacks.no_answer(v, board, int(parts[0]))
    else:
        callbacks.record_call(v, board, int(parts[0]), _VIA[parts[1]], int(parts[2]))
    return True
