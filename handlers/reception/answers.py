"""Where a typed answer goes: each question ``dialogs.answers`` can ask, by purpose, and the
handler that applies the answer (re-checking the order or survey as it stands now)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Final

from dialogs.model import AnswerText
from handlers.callback_surveys import corrective, phone_tasks, resident
from handlers.front_desk import inbox
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from handlers.reception.desks import complaint_handling, fee_residents, fee_staff
from handlers.work_orders import desk_moves, on_the_job, sign_off
from handlers.work_orders.reopening import reopen
from storage.models import WorkOrder

ORDER_ANSWERS: Final[Mapping[str, Callable[[Caller, WorkOrder, AnswerText], None]]] = {
    **on_the_job.ANSWERS, **sign_off.ANSWERS, "desk_cancel_reason": desk_moves.cancel,
}


@cache
def other_answers() -> Mapping[str, Callable[[Caller, AnswerText], None]]:
    """The answers not about a work order, by purpose: built at the first answer, which
    imports the complaint and fee desks (``handlers.reception.desks``)."""
    return {
        "survey_comment": lambda caller, command: resident.comment(caller, command, reopen),
        "phone_result": phone_tasks.note,
        "corrective_outcome": corrective.close,
        "front_desk_reply": inbox.send_reply,
        **complaint_handling.ANSWERS,
        "fee_receipt": fee_residents.receipt_sent,
        "fee_dispute": fee_residents.dispute_sent,
        "fee_door": fee_residents.door_asked,
        "fee_payment": fee_staff.payment_answered,
        "fee_waiver": fee_staff.waiver_answered,
    }


def apply_answer(caller: Caller, command: AnswerText) -> None:
    """Hand the answer to the handler of its question."""
    other = other_answers().get(command.purpose)
    if other is not None:
        other(caller, command)
        return
    order = caller.session.get(WorkOrder, command.subject_id)
    if order is None:
        caller.reply(OUT_OF_DATE)
        return
    ORDER_ANSWERS[command.purpose](caller, order, command)
