"""The fee desk as the phones show it: the resident's statement and notices, the managers'
campaign preview, the staff's receipt, dispute and task cards — and the short resident
conversation for "I have paid" (a receipt photo), "I dispute this" and "pay at the door".

Pure data: handlers compute the figures (as formatted strings) and decide what to send;
this decides how it reads. Every number of the office's rules (the late-fee rate, the days
to pay) arrives as a parameter, so a text never contradicts the office's ladder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dialogs.answers import caption_receipt, paid_amount
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Event, EventKind, InlineKeyboard, Say, inline
from dialogs.flow import button, cancel_button, refuse_input, stay, take_time, tapped, text_of
from dialogs.model import AnswerText, Conversation, DialogContext, Outcome
from dialogs.times import quick_times
from locales import Msg, Raw, Text, _, lines

FLOW: Final = "fees"

ITEM_NAMES: Final[dict[str, Msg]] = {
    "management": _("Management fee"),
    "parking": _("Parking fee"),
    "water": _("Water"),
    "electricity": _("Electricity"),
}
PLAN_NAMES: Final[dict[str, Msg]] = {
    "monthly": _("monthly"),
    "quarterly": _("quarterly"),
    "semiannual": _("half-yearly"),
}
NOTICE_NAMES: Final[dict[str, Msg]] = {
    "payment": _("Payment notice"),
    "overdue": _("Overdue notice"),
    "final": _("Final notice"),
}
TASK_NAMES: Final[dict[str, Msg]] = {
    "phone": _("Phone reminder"),
    "letter": _("Formal letter by express post"),
    "door": _("Door visit"),
    "legal": _("Legal action"),
    "collect": _("Collect at the door"),
}
TASK_REASONS: Final[dict[str, Msg]] = {
    "blocked": _("the resident blocked the bot, so the notice did not arrive"),
    "no_chat": _("nobody of this household uses the bot"),
    "final_unpaid": _("still unpaid after the final notice"),
    "follow_up": _("still unpaid after the last step"),
    "resident": _("the resident asked for it"),
}
OUTCOME_NAMES: Final[dict[str, Msg]] = {
    "unreachable": _("📵 Unreachable"),
    "promised": _("🤝 Promised to pay"),
    "disputes": _("❓ Disputes"),
    "paid": _("✅ Paid"),
    "waived": _("✂ Late fee waived"),  # closed by a manager's waiver of what was left
    "sent": _("📮 Letter sent"),
    "visited": _("🚪 Visited"),
    "filed": _("⚖ Filed"),
    "collected": _("💴 Collected"),
    "not_home": _("🏠 Not at home"),
}
# The outcomes staff can record for each kind of task.
TASK_OUTCOMES: Final[dict[str, tuple[str, ...]]] = {
    "phone": ("unreachable", "promised", "disputes", "paid"),
    "letter": ("sent", "paid"),
    "door": ("visited", "promised", "disputes", "unreachable", "paid"),
    "legal": ("filed", "paid"),
    "collect": ("collected", "not_home"),
}


def item_name(item: str, work_order: str | None) -> Text:
    """A bill's item as people read it; an office's own items stay as finance wrote them."""
    if work_order:
        return _("Paid service {number}", number=Raw(work_order))
    return ITEM_NAMES.get(item, Raw(item))


# -- what the handlers hand over ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LineView:
    """One bill, its figures already formatted (``280.50``)."""

    period: str
    item: str
    work_order: str | None
    principal: str
    paid: str
    late_fee: str


@dataclass(frozen=True, slots=True)
class StatementView:
    """A household's statement, formatted."""

    household_id: int
    unit: str
    as_of: str
    lines: tuple[LineView, ...]
    total_due: str
    late_fee: str
    credit: str = ""  # empty when there is none
    credit_left: str = ""  # the credit beyond all that is due, towards the next bills
    grows_on: str = ""  # the day the total next grows, empty if it does not
    grows_by: str = ""
    rate: str = "3"  # the late fee in ‰ a day
    paused: str = ""  # the open question's reference while reminders pause


@dataclass(frozen=True, slots=True)
class NoticeView:
    """One notice of the ladder for one household."""

    kind: str  # payment | overdue | final
    statement: StatementView
    period: str
    pay_by: str
    days_to_pay: int
    first_day: str  # the first day of the unpaid period: the late fee counts from it


# -- the resident -------------------------------------------------------------------------
def _line(line: LineView) -> Text:
    if line.late_fee != "0.00":
        return _("• {period} {item}: {principal} yuan, paid {paid}, late fee {late_fee}",
                 period=Raw(line.period), item=item_name(line.item, line.work_order),
                 principal=Raw(line.principal), paid=Raw(line.paid),
                 late_fee=Raw(line.late_fee))
    return _("• {period} {item}: {principal} yuan, paid {paid}", period=Raw(line.period),
             item=item_name(line.item, line.work_order), principal=Raw(line.principal),
             paid=Raw(line.paid))


def _figures(view: StatementView) -> list[Text | None]:
    return [
        *[_line(line) for line in view.lines],
        _("Paid beyond the bills, taken off the late fee: {credit} yuan",
          credit=Raw(view.credit)) if view.credit else None,
        _("Total due: {total} yuan (late fee included: {late_fee} yuan).",
          total=Raw(view.total_due), late_fee=Raw(view.late_fee)),
        _("From {date} it grows by {amount} yuan a day (late fee {rate}‰ a day).",
          date=Raw(view.grows_on), amount=Raw(view.grows_by), rate=Raw(view.rate))
        if view.grows_on and view.grows_by != "0.00" else None,
    ]


def statement_text(view: StatementView) -> Text:
    """The resident's statement (My fees / /fees)."""
    head = _("💰 Fees for {unit} as of {date}", unit=Raw(view.unit), date=Raw(view.as_of))
    if view.credit_left:
        return lines(head, _("Nothing is due. Credit: {credit} yuan, towards your next bills.",
                             credit=Raw(view.credit_left)))
    if not view.lines or view.total_due == "0.00":  # a credit may cover the late fee left
        return lines(head, _("Nothing is due. Thank you!"))
    return lines(head, *_figures(view),
                 _("Reminders are paused while your question {reference} is open.",
                   reference=Raw(view.paused)) if view.paused else None)


def notice_text(view: NoticeView) -> Text:
    """A notice of the ladder as the resident receives it."""
    s = view.statement
    if view.kind == "payment":
        head = lines(
            _("📄 Payment notice for {unit}: the fees for {period} are due.",
              unit=Raw(s.unit), period=Raw(view.period)),
            _("Please pay {amount} yuan by {date}.", amount=Raw(s.total_due),
              date=Raw(view.pay_by)))
    elif view.kind == "overdue":
        head = lines(
            _("⚠️ Overdue notice for {unit}: the fees for {period} are unpaid.",
              unit=Raw(s.unit), period=Raw(view.period)),
            _("Please pay {amount} yuan by {date}. Unpaid fees bear a late fee of {rate}‰ of "
              "the amount a day, counted from {first_day}.", amount=Raw(s.total_due),
              date=Raw(view.pay_by), rate=Raw(s.rate), first_day=Raw(view.first_day)))
    else:
        head = lines(
            _("❗ Final notice for {unit}: the fees for {period} are still unpaid.",
              unit=Raw(s.unit), period=Raw(view.period)),
            _("Please pay {amount} yuan within {days} days, by {date}. It includes the late "
              "fee of {rate}‰ a day from {first_day}. After that the office will follow up "
              "formally.", amount=Raw(s.total_due), days=view.days_to_pay,
              date=Raw(view.pay_by), rate=Raw(s.rate), first_day=Raw(view.first_day)))
    return lines(head, *_figures(s),
                 _("Already paid? Tap “I have paid” and send a photo of the receipt."))


def fees_keyboard(household_id: int, due: bool = True) -> InlineKeyboard:
    """Under a statement or a notice."""
    if not due:
        return inline()
    return inline([Button(_("✅ I have paid"), tap(Verb.FEE_CLAIM, household_id)),
                   Button(_("🚪 Pay at the door"), tap(Verb.FEE_DOOR, household_id))],
                  [Button(_("❓ I dispute this"), tap(Verb.FEE_DISPUTE, household_id))])


def notice_keyboard(household_id: int) -> InlineKeyboard:
    return inline([Button(_("💰 My fees"), tap(Verb.FEE_SHOW, household_id))],
                  *fees_keyboard(household_id).rows)


def receipt_text(amount: str, paid_on: str, receipt: str, total_due: str,
                 late_fee: str = "0.00", credit: str = "") -> Text:
    """Sent to the household's residents when a payment is recorded; what is still due says
    how much of it is late fee (a payment of the fees alone leaves that owed), and money paid
    beyond everything is credit towards the next bills."""
    if credit:
        due: Text = _("Your fees are fully paid. Credit: {credit} yuan, towards your next "
                      "bills.", credit=Raw(credit))
    elif total_due == "0.00":
        due = _("Your fees are fully paid.")
    elif late_fee != "0.00":
        due = _("Still due: {total} yuan (late fee included: {late_fee} yuan).",
                total=Raw(total_due), late_fee=Raw(late_fee))
    else:
        due = _("Still due: {total} yuan.", total=Raw(total_due))
    return lines(
        _("✅ Payment received: {amount} yuan on {date} (receipt {receipt}). Thank you!",
          amount=Raw(amount), date=Raw(paid_on), receipt=Raw(receipt or "-")), due)


def overpayment_text(unit: str, name: str, phone: str, amount: str, receipt: str,
                     credit: str) -> Text:
    """To the front desk: a payment beyond all that is billed (a month paid twice?)."""
    return _("💴 Overpayment for {unit} ({name}, {phone}): {amount} yuan (receipt {receipt}) is "
             "more than all that is billed, and is kept as credit: {credit} yuan. If it was "
             "paid twice by mistake, arrange the refund with the resident.", unit=Raw(unit),
             name=Raw(name), phone=Raw(phone), amount=Raw(amount), receipt=Raw(receipt or "-"),
             credit=Raw(credit))


NO_UNITS: Final = _("This chat is not linked to a home, so there are no fees to show.")


# -- the resident's short conversation ----------------------------------------------------
def ask_receipt(context: DialogContext, nonce: str, household_id: int, unit: str) -> Outcome:
    """ "I have paid": ask for the photo of the receipt."""
    conversation = Conversation(FLOW, "receipt", {"nonce": nonce, "household": household_id})
    return Outcome(conversation, [Say(context.chat_id, _(
        "Please send a photo of your payment receipt for {unit}. You can write the amount "
        "in the caption.", unit=Raw(unit)), inline([cancel_button(conversation)]))])


def ask_dispute(context: DialogContext, nonce: str, household_id: int, unit: str) -> Outcome:
    """ "I dispute this": ask what is wrong."""
    conversation = Conversation(FLOW, "dispute", {"nonce": nonce, "household": household_id})
    return Outcome(conversation, [Say(context.chat_id, _(
        "What is wrong with the fees for {unit}? Please write it; the front desk will look "
        "into it, and reminders pause until then.", unit=Raw(unit)),
        inline([cancel_button(conversation)]))])


def ask_door_time(context: DialogContext, nonce: str, household_id: int,
                  unit: str) -> Outcome:
    """ "Pay at the door": ask when (第四篇 2(4)③) — an appointment, so not "as soon as
    possible"; the quick times still ahead, checked as the repair's are."""
    conversation = Conversation(FLOW, "door", {"nonce": nonce, "household": household_id})
    keyboard = inline(*[[button(conversation, label, f"time:{key}")]
                        for key, label in quick_times(context.visits).items() if key != "asap"],
                      [cancel_button(conversation)])
    return Outcome(conversation, [Say(context.chat_id, _(
        "When may a colleague come to {unit} to collect the fees? Pick a time or type one.",
        unit=Raw(unit)), keyboard)])


def unclear_amount(caption: str) -> Msg:
    """A receipt's caption whose amount cannot be told: nothing is recorded."""
    return _("I could not tell the amount you paid from “{caption}”, so nothing was sent "
             "yet. Please send the photo again with just the amount in the caption (e.g. "
             "280), or with no caption for the whole amount due.", caption=Raw(caption.strip()))


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Take the photo, the reason or the time — or keep asking politely."""
    choice = tapped(conversation, event)
    household = int(conversation.data["household"])
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was changed."))])
    if conversation.step == "receipt":
        if event.kind is EventKind.PHOTO and event.photo_file_ids:
            if not paid_amount(event.text)[0]:
                return stay(conversation, context, unclear_amount(event.text))
            return Outcome(None, command=AnswerText("fee_receipt", household, event.text.strip(),
                                                    tuple(event.photo_file_ids)))
        return refuse_input(conversation, context, event,
                            _("Please send a photo of the receipt, or tap Cancel."))
    if conversation.step == "door":  # a time already past or out of hours is asked again
        if (refused := take_time(conversation, event, context, choice)) is not None:
            return refused
        return Outcome(None, command=AnswerText("fee_door", household,
                                                str(conversation.data.pop("time"))))
    text = text_of(event)
    if text is None:
        return refuse_input(conversation, context, event, _("Please answer in words."))
    if len(text) < 2:
        return stay(conversation, context, _("Please say a little more about what is wrong."))
    return Outcome(None, command=AnswerText("fee_dispute", household, text))


# -- the managers' chat -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PreviewView:
    """A prepared campaign, formatted."""

    campaign_id: int
    kind: str
    plan: str
    notice_date: str
    period: str
    pay_by: str
    households: int
    total: str
    by_building: tuple[tuple[str, int, str], ...]  # building, households, total
    more_buildings: int
    samples: tuple[tuple[str, str], ...]  # (language name, the sample as it reads)
    status: str  # prepared | approved | held | auto
    decided_by: str = ""


def preview_text(view: PreviewView) -> Text:
    """The campaign as finance prepared it, for a manager to approve (001 1.1.5)."""
    status: Msg = {
        "prepared": _("Waiting for approval: nothing goes out until a manager approves."),
        "approved": _("✅ Approved by {name}; sending in daytime hours.",
                      name=Raw(view.decided_by)),
        "held": _("⏸ Held by {name}; nothing goes out.", name=Raw(view.decided_by)),
        "auto": _("✅ Approved automatically (the office's setting); sending in daytime hours."),
    }[view.status]
    return lines(
        _("📋 {notice} ({plan}) of {date} for {period}: {households} households, "
          "{total} yuan in all; pay by {pay_by}.", notice=NOTICE_NAMES[view.kind],
          plan=PLAN_NAMES[view.plan], date=Raw(view.notice_date), period=Raw(view.period),
          households=view.households, total=Raw(view.total), pay_by=Raw(view.pay_by)),
        _("By building:"),
        *[_("• Building {building}: {households} households, {total} yuan",
            building=Raw(b), households=n, total=Raw(t)) for b, n, t in view.by_building],
        _("… and {count} more buildings", count=view.more_buildings)
        if view.more_buildings else None,
        *[lines(Raw(f"— {language} —"), Raw(sample)) for language, sample in view.samples],
        status)


def preview_keyboard(campaign_id: int, status: str) -> InlineKeyboard:
    approve = Button(_("✅ Approve"), tap(Verb.FEE_CAMPAIGN, campaign_id, "approve"))
    hold = Button(_("⏸ Hold"), tap(Verb.FEE_CAMPAIGN, campaign_id, "hold"))
    if status == "prepared":
        return inline([approve, hold])
    if status == "held":
        return inline([approve])
    return inline([hold])


# -- the staff's cards --------------------------------------------------------------------
def claim_card(claim_id: int, unit: str, name: str, amount: str, note: str,
               decided: Text | None = None) -> Text:
    """The desk's card of a receipt photo: the amount, the caption, and the receipt number
    read from it, which the payment keeps once confirmed."""
    receipt = caption_receipt(note, unit)
    return lines(
        _("🧾 Receipt from {name} ({unit}): paid {amount} yuan, says the resident.",
          name=Raw(name), unit=Raw(unit), amount=Raw(amount)),
        Raw(note) if note else None,
        _("Receipt number: {receipt} (kept with the payment).", receipt=Raw(receipt))
        if receipt else None,
        decided)


def claim_paid(receipt: str, amount: str) -> Text:
    """A receipt photo's card once a payment recorded otherwise (the bank's import, the desk)
    covers it."""
    return _("✅ Paid: payment {receipt} of {amount} yuan is recorded, so there is nothing "
             "left to confirm.", receipt=Raw(receipt or "-"), amount=Raw(amount))


def claim_keyboard(claim_id: int, amount: str) -> InlineKeyboard:
    return inline([Button(_("✅ Confirm {amount} yuan", amount=Raw(amount)),
                          tap(Verb.FEE_RECEIPT, claim_id, "confirm")),
                   Button(_("✖ Reject"), tap(Verb.FEE_RECEIPT, claim_id, "reject"))])


def dispute_card(reference: str, unit: str, name: str, text: str,
                 resolved_by: str = "") -> Text:
    return lines(
        _("❓ Fee dispute {reference} from {name} ({unit}): {text}", reference=Raw(reference),
          name=Raw(name), unit=Raw(unit), text=Raw(text)),
        _("Reminders for this household are paused until it is resolved.") if not resolved_by
        else _("✅ Resolved by {name}; reminders resume.", name=Raw(resolved_by)))


def dispute_resolved_text(reference: str, unit: str, total_due: str, late_fee: str) -> Text:
    """To the resident: the dispute is resolved, and what is due now is its outcome (the
    corrected amount, or the fees as billed)."""
    if total_due == "0.00":
        return _("The front desk has resolved your fee question {reference} ({unit}): "
                 "nothing is due now. Thank you!", reference=Raw(reference), unit=Raw(unit))
    return _("The front desk has resolved your fee question {reference} ({unit}): {total} "
             "yuan is due now (late fee included: {late_fee} yuan). Fee reminders resume; "
             "/fees shows your statement.", reference=Raw(reference), unit=Raw(unit),
             total=Raw(total_due), late_fee=Raw(late_fee))


def dispute_keyboard(dispute_id: int, request_id: int | None) -> InlineKeyboard:
    row = [Button(_("✔ Resolved"), tap(Verb.FEE_RESOLVE, dispute_id))]
    if request_id is not None:
        row.insert(0, Button(_("✍ Reply to the resident"), tap(Verb.DESK_REPLY, request_id)))
    return inline(row)


def task_card(kind: str, reason: str, unit: str, name: str, phone: str, amount: str,
              when: Text = "", done: Text | None = None) -> Text:
    return lines(
        _("📌 {task} for {unit} ({name}, {phone}): {amount} yuan due — {reason}.",
          task=TASK_NAMES[kind], unit=Raw(unit), name=Raw(name), phone=Raw(phone or "-"),
          amount=Raw(amount), reason=TASK_REASONS.get(reason, Raw(reason))),
        _("Time asked for: {when}", when=when) if when else None,
        done)


def task_done(outcome: str, name: str) -> Text:
    return _("Recorded by {name}: {outcome}", name=Raw(name), outcome=OUTCOME_NAMES[outcome])


def task_keyboard(task_id: int, kind: str) -> InlineKeyboard:
    """The outcomes of a task, two to a row."""
    buttons = [Button(OUTCOME_NAMES[outcome], tap(Verb.FEE_TASK, task_id, outcome))
               for outcome in TASK_OUTCOMES[kind]]
    return inline(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


# -- a household's fees, for the front desk (/fees 3-1202 in its chats) -----------------------
def household_card(view: StatementView, name: str, plan: str, monthly_fee: str) -> Text:
    """The household's statement as the desk sees it, with its plan."""
    return lines(
        _("🏠 {unit} ({name}): {plan} plan, {fee} yuan a month.", unit=Raw(view.unit),
          name=Raw(name), plan=PLAN_NAMES.get(plan, Raw(plan)), fee=Raw(monthly_fee)),
        statement_text(view))


def household_keyboard(household_id: int, late_fee: bool) -> InlineKeyboard:
    """Record a payment (any time: a household may pay ahead); waive a late fee there is."""
    row = [Button(_("💴 Record a payment"), tap(Verb.FEE_PAY, household_id))]
    if late_fee:
        row.append(Button(_("✂ Waive the late fee"), tap(Verb.FEE_WAIVE, household_id)))
    return inline(row)
