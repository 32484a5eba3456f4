"""Questions written in words, before anything else reads them: the office's FAQ answers what
it can, a fee question gets the resident's own statement at once, and whatever is left goes
on to the intake (the desk, with a promised time, for an enquiry)."""

from __future__ import annotations

from dialogs.model import Outcome
from dialogs.triage import triage
from handlers.fees.residents import my_fees
from handlers.front_desk import faq
from handlers.office.caller import Caller
from handlers.requests import intake

FEE_STATEMENT = "fee_statement"  # the FAQ key noted when the statement was the answer


def free_text(caller: Caller, text: str) -> Outcome | None:
    """Answer from the FAQ or the statement when that is the answer; else the intake."""
    guess = triage(text)
    if guess.intent in ("enquiry", "other", "fee"):
        found = faq.find(caller.uow.office, text)
        if guess.intent == "fee":
            my_fees(caller)  # balance, what it is for, late fees: their own figures
            if found is None:
                faq.ask_if_answered(caller, text, FEE_STATEMENT, 0.0, None, kind="fee")
                return None
        if found is not None:
            faq.answer(caller, text, found, kind="fee" if guess.intent == "fee" else "enquiry")
            return None
    return intake.free_text(caller, text)
