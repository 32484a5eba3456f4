"""The one button table: every verb a keyboard can carry, its arguments, and the one format.

A button's ``callback_data`` reads ``v1:<verb>:<arg>:…`` — versioned, so a change of format
makes old buttons fail politely instead of meaning something else — at most 64 bytes
(Telegram's limit). Keyboards build it only with :func:`tap`; the reception parses it only
with :func:`parse`, strictly: ASCII digits for ids (``str.isdigit`` also accepts ``²``), ids
that fit a 64-bit integer, words from a small alphabet. Anything else is not a tap of ours,
and the person is told the button is no longer valid. ``handlers/reception/buttons.py`` holds
the handler for each verb; a test checks that every verb has one.

Button data is only a reference: the handler re-checks who may do what to which object now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Final

VERSION: Final = "v1"
MAX_BYTES: Final = 64  # Telegram's limit for callback_data
MAX_ID: Final = 2**63 - 1  # SQLite and PostgreSQL bigint


class Arg(Enum):
    """What one argument may look like."""

    ID = re.compile(r"[0-9]{1,19}")  # a row id
    DIGIT = re.compile(r"[0-9]")  # a rating 0–9
    WORD = re.compile(r"[a-z][a-z_]{0,23}")  # a choice such as a trade or a hazard
    NAME = re.compile(r"[A-Za-z][A-Za-z_]{0,15}")  # a language code such as zh_Hant
    NONCE = re.compile(r"[A-Za-z0-9_-]{4,8}")  # one conversation's mark (new_nonce: 6)
    # a dialog's own choice, which may hold ":" (``trade:plumbing``)
    VALUE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.-]{0,39}")


class Verb(Enum):
    """Every button the bot sends. The value is (wire name, argument kinds)."""

    # private chats: the resident and anyone bound
    MENU = ("menu", (Arg.WORD,))
    LANGUAGE = ("language", (Arg.NAME,))
    EMERGENCY = ("emergency", (Arg.WORD,))
    DIALOG = ("dialog", (Arg.NONCE, Arg.VALUE))  # a button of the conversation under way
    CANCEL_ORDER = ("cancel", (Arg.ID,))
    SIGN = ("sign", (Arg.ID,))
    ASK_REWORK = ("rework", (Arg.ID,))
    ANSWER_TIME = ("time_ok", (Arg.ID, Arg.WORD))  # yes | no
    ANSWER_PRICE = ("price_ok", (Arg.ID, Arg.WORD))  # yes | no
    RATE = ("rate", (Arg.ID, Arg.DIGIT))  # a callback survey's 1–5
    SKIP_COMMENT = ("no_comment", (Arg.ID,))
    CHANGE_TRADE = ("retrade", (Arg.ID,))  # show the kinds of work to choose from
    SET_TRADE = ("set_trade", (Arg.ID, Arg.WORD))  # order, the kind of work chosen
    # the technician, privately
    SET_OFF = ("set_off", (Arg.ID,))
    PROPOSE_TIME = ("new_time", (Arg.ID,))
    PROPOSE_PRICE = ("price", (Arg.ID,))
    FINISH = ("finish", (Arg.ID,))
    REPORT_DAMAGE = ("damage", (Arg.ID,))
    SHOW_CARD = ("card", (Arg.ID,))
    SHIFT = ("shift", (Arg.WORD,))  # on | off
    # the visit window (handlers/work_orders/appointments.py): order, day as yyyymmdd, slot
    # (0 morning, 1 afternoon, 2 evening) —
    # the technician proposes it, or the resident picks another; the resident's answer
    WINDOW = ("window", (Arg.ID, Arg.ID, Arg.DIGIT))
    WINDOW_OK = ("window_ok", (Arg.ID, Arg.WORD))  # yes | other
    ARRIVED = ("arrived", (Arg.ID,))  # the technician is at the door
    MOVE_VISIT = ("move_visit", (Arg.ID,))  # the resident picks another window (from /my)
    EARLIER_MESSAGE = ("earlier", (Arg.ID, Arg.WORD))  # written before linking: report | drop
    # staff group chats
    ACCEPT = ("accept", (Arg.ID,))
    ASSIGN = ("assign", (Arg.ID, Arg.ID))  # order, technician
    ACK_EMERGENCY = ("sos_ack", (Arg.ID,))  # the on-duty chat: "I'm on it"
    RESCHEDULE = ("reschedule", (Arg.ID,))  # the desk opens the window choices
    DESK_WINDOW = ("desk_window", (Arg.ID, Arg.ID, Arg.DIGIT))  # the desk moves the window
    MISSED_SEEN = ("missed_seen", (Arg.ID,))  # the desk takes a missed visit in hand
    HELD_CALL = ("held_call", (Arg.ID, Arg.WORD))  # blocked person: reached | unreachable
    CALLBACK_CLASS = ("cb_class", (Arg.ID, Arg.WORD))
    # phone | onsite | no_answer | wrong_number | unreachable (the last two with 0)
    CALL_RESULT = ("call", (Arg.ID, Arg.WORD, Arg.DIGIT))
    CALL_NOTE = ("call_note", (Arg.ID,))
    CORRECTED = ("corrected", (Arg.ID,))
    SPOT_CHECK = ("spot_check", (Arg.ID,))
    ONSITE = ("onsite", (Arg.ID,))
    DESK_REPLY = ("desk_reply", (Arg.ID,))
    # the desk tools (/find): reassign | cancel (order), history (household); the technician
    # chosen to take an order over; the same in a dispatcher's or manager's private chat
    DESK_TOOL = ("desk", (Arg.WORD, Arg.ID))
    DESK_REASSIGN = ("desk_to", (Arg.ID, Arg.ID))  # order, technician
    DESK_TOOL_PRIVATE = ("desk_my", (Arg.WORD, Arg.ID))
    DESK_REASSIGN_PRIVATE = ("desk_my_to", (Arg.ID, Arg.ID))
    # the fee desk (handlers/fees): a household's fees, privately; campaigns, receipts,
    # disputes and fee tasks in the staff groups
    FEE_SHOW = ("fee_show", (Arg.ID,))  # household
    FEE_CLAIM = ("fee_paid", (Arg.ID,))  # household: "I have paid"
    FEE_DISPUTE = ("fee_dispute", (Arg.ID,))  # household
    FEE_DOOR = ("fee_door", (Arg.ID,))  # household: pay at the door
    FEE_CAMPAIGN = ("fee_campaign", (Arg.ID, Arg.WORD))  # approve | hold
    FEE_RECEIPT = ("fee_receipt", (Arg.ID, Arg.WORD))  # claim: confirm | reject
    FEE_RESOLVE = ("fee_resolve", (Arg.ID,))  # dispute
    FEE_TASK = ("fee_task", (Arg.ID, Arg.WORD))  # task, outcome
    FEE_PAY = ("fee_pay", (Arg.ID,))  # household: record a payment at the desk
    FEE_WAIVE = ("fee_waive", (Arg.ID,))  # household: a manager waives its late fee
    # the complaint desk (handlers/front_desk): the staff's actions on a complaint in the
    # dispatch / managers groups, the same privately (admin/HR, supervisors, the director);
    # the resident's verdict on the result and their rating
    COMPLAINT_DESK = ("cp_desk", (Arg.ID, Arg.WORD))  # sev_… | take | answer | ask | resolve
    COMPLAINT_STAFF = ("cp_staff", (Arg.ID, Arg.WORD))  # the same, in a private chat
    COMPLAINT_VERDICT = ("cp_verdict", (Arg.ID, Arg.WORD))  # accept | reopen
    COMPLAINT_RATE = ("cp_rate", (Arg.ID, Arg.DIGIT))  # 1–5
    FAQ_FEEDBACK = ("faq", (Arg.ID, Arg.WORD))  # an FAQ answer helped: yes | no (→ the desk)
    # announcements (handlers/announcements): the preview's decisions, the delivery report
    # and a recall, in the managers' chat or the author's private chat; the resident's
    # "not the outage, report it anyway"
    ANNOUNCE = ("announce", (Arg.ID, Arg.WORD))  # approve | hold | report | recall
    ANNOUNCE_STAFF = ("announce_me", (Arg.ID, Arg.WORD))  # the same, privately
    OUTAGE_REPORT = ("outage_report", (Arg.ID,))  # the outage report answered

    @property
    def wire(self) -> str:
        wire: str = self.value[0]
        return wire

    @property
    def args(self) -> tuple[Arg, ...]:
        kinds: tuple[Arg, ...] = self.value[1]
        return kinds


_BY_WIRE: Final = {verb.wire: verb for verb in Verb}
assert len(_BY_WIRE) == len(Verb), "two verbs share a wire name"


@dataclass(frozen=True, slots=True)
class Tap:
    """A parsed button: its verb and arguments (ids and digits as ints, the rest as text)."""

    verb: Verb
    args: tuple[int | str, ...]

    def id(self, index: int = 0) -> int:
        value = self.args[index]
        assert isinstance(value, int)
        return value

    def word(self, index: int) -> str:
        value = self.args[index]
        assert isinstance(value, str)
        return value


def tap(verb: Verb, *args: int | str | None) -> str:
    """The callback_data for *verb* with *args*; raises ValueError if it would not parse back
    to the same tap (a missing id, a value outside its alphabet, more than 64 bytes)."""
    data = ":".join([VERSION, verb.wire, *map(str, args)])
    found = parse(data)
    if found is None or found.verb is not verb or [str(a) for a in found.args] != [
            str(a) for a in args]:
        raise ValueError(f"button data {data!r} does not fit {verb.name}")
    return data


def _typed(kind: Arg, text: str) -> int | str:
    return int(text) if kind in (Arg.ID, Arg.DIGIT) else text


def parse(data: str) -> Tap | None:
    """The tap *data* stands for, or None if it is not a button of ours (old, forged, broken)."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES or not data.isascii():
        return None
    version, _, rest = data.partition(":")
    wire, _, tail = rest.partition(":")
    verb = _BY_WIRE.get(wire)
    if version != VERSION or verb is None:
        return None
    kinds = verb.args
    # The last argument of a dialog button may itself hold ":" (``trade:plumbing``).
    parts = tail.split(":", len(kinds) - 1) if tail else []
    if len(parts) != len(kinds):
        return None
    values: list[int | str] = []
    for kind, part in zip(kinds, parts, strict=True):
        if kind.value.fullmatch(part) is None:
            return None
        value = _typed(kind, part)
        if isinstance(value, int) and value > MAX_ID:
            return None
        values.append(value)
    return Tap(verb, tuple(values))
