"""Short questions a handler asks and waits for: a reason, a new time, a price, a note.

The conversation is ``answer/<purpose>`` with the work order's id; the next text (or photos,
where the purpose takes them) becomes an :class:`AnswerText` command for the handler.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from dialogs.complaint_cards import SEVERITIES
from dialogs.events import Event, EventKind, Say, inline
from dialogs.flow import button, cancel_button, refuse_input, stay, tapped, text_of
from dialogs.model import AnswerText, Conversation, DialogContext, Outcome
from locales import Msg, Raw, Text, _, lines

FLOW = "answer"

QUESTIONS: dict[str, Msg] = {
    "cancel_reason": _("Why do you want to cancel {number}? Please write a short reason."),
    "desk_cancel_reason": _("Why is {number} cancelled? Write the reason as the resident "
                            "should read it; they and the technician will be told."),
    "rework_reason": _("What is still wrong with {number}? Please describe it."),
    "new_time": _("Which time do you propose for {number}? The resident will be asked."),
    "price": _("What is the price for {number}, in yuan? (e.g. 45 or 45.50)"),
    "done_note": _("Finishing {number}: send photos of the work and a note of materials used "
                   "(optional), then tap Finish."),
    "damage": _("Describe the damage or loss during work on {number}. "
                "The manager will be told at once."),
    "survey_comment": _("Would you like to add a comment about {number}? Write it here, "
                        "or tap Skip."),
    "phone_result": _("Your note on the callback for {number}: what did the resident say?"),
    "corrective_outcome": _("What was done to put {number} right? Write it in a few words: "
                            "your note closes the corrective task, and every copy shows it."),
    "front_desk_reply": _("Your answer to {number}: write it as the resident should read it."),
    "complaint_answer": _("Your answer to the resident about complaint {number}: write it as "
                          "they should read it (never argue; thank and apologise)."),
    "complaint_ask": _("What do you need to ask the resident about complaint {number}? Its "
                       "clocks wait until they answer."),
    "complaint_resolve": _("How was complaint {number} resolved? Write the result as the "
                           "resident should read it; they will be told now."),
    "complaint_info": _("Please write your answer about complaint {number} here."),
    "complaint_reopen": _("We are sorry. What is still not resolved about {number}?"),
    "complaint_to_major": _("Why is complaint {number} major now? The reason is kept with the "
                            "change, and its clocks count again from when it was received."),
    "complaint_to_important": _("Why is complaint {number} important now? The reason is kept "
                                "with the change, and its clocks count again from when it was "
                                "received."),
    "complaint_to_minor": _("Why is complaint {number} minor now? The reason is kept with the "
                            "change, and its clocks count again from when it was received."),
    "fee_payment": _("How much did {number} pay, in yuan? Add the receipt number after the "
                     "amount if there is one (e.g. 286.40 R-10023)."),
    "fee_waiver": _("Why is the late fee of {number} waived? The reason is kept with the "
                    "waiver."),
}
TAKES_PHOTOS = {"done_note"}
# A complaint's new severity is asked for as this prefix + the severity (complaint_to_minor).
REGRADE: Final = "complaint_to_"
# Answers kept on record (and read by the resident, for a cancellation): one that says
# nothing is asked for again, and changes nothing.
NEEDS_A_REASON: Final = frozenset({"desk_cancel_reason", "fee_waiver", "corrective_outcome",
                                   *(REGRADE + severity for severity in SEVERITIES)})
# Replies that say nothing: a comment like this is a skip, and it closes no task as a note.
SAYS_NOTHING: Final = frozenset({"skip", "no", "none", "-", "ok", "okay", "done", "跳过", "没有",
                                 "无", "不用", "略過", "沒有", "好", "好了", "完成", "搞定"})


@dataclass(frozen=True, slots=True)
class Ready:
    """One of the office's ready answers offered with a question: its key, its button, and
    its text as the person asked reads it."""

    key: str
    label: Text
    text: Text


READY: Final = "ready:"  # a ready answer's button value: "ready:<key>"


def ask(context: DialogContext, nonce: str, purpose: str, subject_id: int,
        number: str, ready: Sequence[Ready] = ()) -> Outcome:
    """Ask the question for *purpose* about the subject (shown to the person as *number*);
    *ready* answers, if any, are offered as buttons, each tap sending one as it is."""
    conversation = Conversation(FLOW, purpose, {"nonce": nonce, "subject_id": subject_id,
                                                "number": number, "photos": [], "note": "",
                                                "ready": [r.key for r in ready]})
    buttons = [cancel_button(conversation)]
    if purpose in TAKES_PHOTOS:
        buttons.insert(0, button(conversation, _("✅ Finish"), "finish"))
    question: Text = Msg(QUESTIONS[purpose].msgid, {"number": Raw(number)})
    if ready:
        question = lines(question, _("Or tap a ready answer; the resident reads it in their "
                                     "own language:"),
                         *[_("• {label}: {text}", label=r.label, text=r.text) for r in ready])
    rows = [[button(conversation, r.label, READY + r.key)] for r in ready]
    return Outcome(conversation, [Say(context.chat_id, question, inline(*rows, buttons))])


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Take the answer, or keep asking politely."""
    choice = tapped(conversation, event)
    data = conversation.data
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was changed."))])
    purpose = conversation.step
    if choice is not None and choice.startswith(READY) and choice[len(READY):] in data.get(
            "ready", []):
        return Outcome(None, command=AnswerText(purpose, data["subject_id"], "",
                                                canned=choice[len(READY):]))
    if purpose in TAKES_PHOTOS:
        if choice == "finish":
            return Outcome(None, command=AnswerText(purpose, data["subject_id"], data["note"],
                                                    tuple(data["photos"])))
        if event.kind is EventKind.PHOTO:
            data["photos"].extend(event.photo_file_ids)
            if event.text.strip():
                data["note"] = " ".join(filter(None, [data["note"], event.text.strip()]))
            return stay(conversation, context, _("Photo added. Tap Finish when you are done."))
        if (text := text_of(event)) is not None:
            data["note"] = " ".join(filter(None, [data["note"], text]))
            return stay(conversation, context, _("Note added. Tap Finish when you are done."))
        return refuse_input(conversation, context, event, _("Send photos or a note, "
                                                            "or tap Finish."))
    text = text_of(event)
    if text is None:
        return refuse_input(conversation, context, event, _("Please answer in words."))
    quote = parse_quote(text) if purpose in ("price", "fee_payment") else None
    if purpose in ("price", "fee_payment") and quote is None:
        return stay(conversation, context, _("Please type the amount as a number, e.g. 45.50."))
    if purpose == "fee_payment" and quote is not None and receipt_and_note(quote[1]) is None:
        return stay(conversation, context, two_receipts(quote[1]))
    if purpose in NEEDS_A_REASON and says_nothing(text):
        return stay(conversation, context, _("Please write it in a few words: “{answer}” says "
                                             "nothing on its own, and your answer is kept on "
                                             "record.", answer=Raw(text.strip())))
    return Outcome(None, command=AnswerText(purpose, data["subject_id"], text))


def says_nothing(text: str) -> bool:
    """A reply with no content: no letters or digits, or a word like "ok" or "skip"."""
    return not any(c.isalnum() for c in text) or text.lower().strip(" .!。！") in SAYS_NOTHING


def parse_price(text: str) -> Decimal | None:
    """A positive amount of yuan with at most two decimals, or None."""
    cleaned = text.strip().removesuffix("元").removesuffix("yuan").strip().replace("¥", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1000000"):
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


# An amount as staff and residents write it: "350", "¥350", "350元", "350 yuan".
_AMOUNT: Final = r"¥?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:元|yuan\b|rmb\b)?"
QUOTE = re.compile(r"\s*" + _AMOUNT + r"\s*[,;:、]?\s*(.*)", re.DOTALL | re.IGNORECASE)


def parse_quote(text: str) -> tuple[Decimal, str] | None:
    """A price and, after it, the reason for it if one is given: "350 换了整个阀体" →
    (350.00, "换了整个阀体"); None without a valid amount first."""
    found = QUOTE.fullmatch(unicodedata.normalize("NFKC", text))
    if found is None:
        return None
    amount = parse_price(found.group(1))
    return None if amount is None else (amount, found.group(2).strip())


# A receipt number as receipts are numbered (R-10023, 00012345, claim-7): letters, digits and
# separators, with a digit in it. A word like 现金, 微信 or cash says how it was paid; taken
# for a receipt number, it would make next month's payment a duplicate.
RECEIPT_NO: Final = re.compile(r"(?=\S*[0-9])[0-9A-Za-z][0-9A-Za-z/#_.-]{0,63}")
# What separates the words typed after a payment's amount ("现金，R-7788", "cash; R-7788").
WORDS: Final = re.compile(r"[\s,;:、，；：]+")
# A date as people write it (2026-12-11, 2026/12/11, 12/11, 11.12.2026): when it was paid,
# never a receipt number.
DATE_LIKE: Final = re.compile(
    r"(?:[0-9]{4}[-/.])?[0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}")


def _is_receipt(word: str) -> bool:
    return RECEIPT_NO.fullmatch(word) is not None and DATE_LIKE.fullmatch(word) is None


def _words(rest: str) -> list[str]:
    return [w for w in WORDS.split(unicodedata.normalize("NFKC", rest)) if w]


def _receipt_words(rest: str) -> list[str]:
    return list(dict.fromkeys(w for w in _words(rest) if _is_receipt(w)))


def receipt_and_note(rest: str) -> tuple[str | None, str] | None:
    """What the desk typed after a payment's amount: the receipt number wherever it stands,
    and the rest as the note ("现金 R-7788" → ("R-7788", "现金"); "现金" → (None, "现金")).
    None when two receipt numbers are typed: which one is meant is not guessed."""
    found = _receipt_words(rest)
    if len(found) > 1:
        return None
    if not found:
        return None, rest.strip()
    return found[0], " ".join(w for w in _words(rest) if w != found[0])


def two_receipts(rest: str) -> Msg:
    """The polite answer when an answer holds more than one receipt number."""
    return _("I see more than one receipt number ({receipts}), so nothing was recorded. "
             "Please type the amount and the one receipt number again (e.g. 286.40 R-10023).",
             receipts=Raw(", ".join(_receipt_words(rest))))


# An amount standing on its own among a caption's words ("200", "¥200", "已付200元"), not a
# part of a receipt number, a unit or a date (R-7788, 3-1203, 12/2).
AMOUNT_IN_WORDS: Final = re.compile(
    r"(?<![0-9A-Za-z./#_-])" + _AMOUNT + r"(?![0-9A-Za-z./#_-])", re.IGNORECASE)
THOUSANDS: Final = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")


def paid_amount(caption: str) -> tuple[bool, Decimal | None]:
    """The amount a resident wrote with a receipt's photo: (True, the amount), (True, None)
    when none is written, or (False, None) when it cannot be told — two amounts ("200 or
    280"), or one that is no amount of yuan."""
    found = list(dict.fromkeys(AMOUNT_IN_WORDS.findall(
        THOUSANDS.sub("", unicodedata.normalize("NFKC", caption)))))
    if not found:
        return True, None
    amount = parse_price(found[0]) if len(found) == 1 else None
    return amount is not None, amount


# A run of letters, digits and receipt separators among a caption's words (收据号R-7788).
CODE_IN_WORDS: Final = re.compile(r"(?<![0-9A-Za-z/#_.-])[0-9A-Za-z][0-9A-Za-z/#_.-]*"
                                  r"(?<![/#_.-])")


def caption_receipt(caption: str, unit: str) -> str | None:
    """The receipt number a resident wrote with a receipt's photo ("已付280 收据号R-7788" →
    "R-7788"): not the amount, a date or the home's *unit*; None when there is none, or two
    (which one is not guessed)."""
    text = THOUSANDS.sub("", unicodedata.normalize("NFKC", caption))
    found = list(dict.fromkeys(
        code for code in CODE_IN_WORDS.findall(text)
        if _is_receipt(code) and code != unit and parse_price(code) is None
        and not code.isdigit()))
    return found[0] if len(found) == 1 else None
