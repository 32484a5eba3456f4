"""Questions written in words, before anything else reads them: the office's FAQ answers what
it can, a fee question gets the resident's own statement at once, and whatever is left goes
on to the intake (the desk, with a promised time, for an enquiry). A photo sent first starts
a repair report. While the resident has a complaint open, words that read as a complaint (or
as nothing else) and photos that show no repair are added to it."""

from __future__ import annotations

from dialogs import repair
from dialogs.model import Outcome
from dialogs.triage import triage
from handlers.front_desk import faq, inbox
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.reception.desks import complaints, fee_residents
from handlers.requests import intake

FEE_STATEMENT = "fee_statement"  # the FAQ key noted when the statement was the answer


def free_text(caller: Caller, text: str) -> Outcome | None:
    """Answer from the FAQ or the statement when that is the answer; else the intake."""
    guess = triage(text)
    if guess.intent == "complaint" and complaints.add_more(caller, text):
        return None  # more on the complaint already open, not a second one
    if guess.intent in ("enquiry", "other", "fee"):
        found = faq.find(caller.uow.office, text)
        if guess.intent == "fee":
            fee_residents.my_fees(caller)  # balance, what it is for, late fees: their own figures
            if found is None:
                faq.ask_if_answered(caller, text, FEE_STATEMENT, 0.0, None, kind="fee")
                return None
        if found is not None:
            faq.answer(caller, text, found, kind="fee" if guess.intent == "fee" else "enquiry")
            return None
        if guess.intent == "other" and (faq.not_answered(caller, text)
                                        or inbox.follow_up(caller, text)
                                        or complaints.add_more(caller, text)):
            return None  # "还是不明白" after the FAQ's or the desk's answer: to the desk;
            # anything else from a resident with a complaint open: to that complaint
    return intake.free_text(caller, text)


def photo_first(caller: Caller, caption: str, photos: tuple[str, ...]) -> Outcome | None:
    """A photo sent before any words starts a repair report, the photo kept for it (and its
    caption read as the description) — unless it shows no repair and the resident has a
    complaint open: then it is added to the complaint."""
    guess = triage(caption) if caption else None
    if guess is not None and guess.intent == "repair":
        return repair.start_with_guess(caller.context(), new_nonce(), caption, guess, photos)
    if (guess is None or guess.intent in ("complaint", "other")) and complaints.add_more(
            caller, caption, photos):
        return None
    return repair.start(caller.context(), new_nonce(), photos)
