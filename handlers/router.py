"""The core's single entry: one event in, one transaction, answers into the outbox.

``handle`` is what every adapter calls (aiogram, python-telegram-bot, tests, the sandbox).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError

from dialogs import answers, repair, service
from dialogs.events import ChatKind, Event, EventKind
from dialogs.menu import (
    EMERGENCY_BUTTONS,
    emergency_keyboard,
    help_text,
    language_keyboard,
    main_menu,
    menu_text,
    share_contact_keyboard,
    welcome_unbound,
)
from dialogs.model import (
    AnswerText,
    Command,
    Conversation,
    DialogContext,
    Outcome,
    RecordDemand,
    ReportEmergency,
    SubmitRepair,
    SubmitService,
    ToFrontDesk,
)
from dialogs.triage import triage
from handlers import binding, conversations, followups, intake, orders
from handlers.conversations import new_nonce
from handlers.office import Office
from handlers.people import is_staff, person_by_telegram, staff_chat_by_id
from handlers.uow import UnitOfWork
from handlers.visit import Visit
from locales import _, language_from_code, parse_language

log = logging.getLogger(__name__)

FLOWS: dict[str, Callable[[Conversation, Event, DialogContext], Outcome]] = {
    repair.FLOW: repair.step, service.FLOW: service.step, answers.FLOW: answers.step,
}
MAX_INPUT = 4096  # Telegram's own limit; anything longer is refused politely, not stored


def handle(office: Office, event: Event) -> None:
    """Handle one event exactly once; on failure roll back and ask the person to retry."""
    for attempt in (1, 2):
        try:
            with UnitOfWork(office) as uow:
                if not uow.claim(event.key):
                    return
                _dispatch(_visit(uow, event))
                uow.commit()
                return
        except (IntegrityError, OperationalError):
            # Two writers met (a concurrent tap, a busy database): the transaction rolled
            # back as a whole, so trying once more is safe.
            if attempt == 2:
                log.exception("event %s failed twice", event.key)
        except Exception:
            log.exception("event %s failed", event.key)
            break
    _apologise(office, event)


def _apologise(office: Office, event: Event) -> None:
    """Tell the person nothing was saved, so they can try again."""
    if event.chat_kind is not ChatKind.PRIVATE and event.kind is not EventKind.BUTTON:
        return
    try:
        with UnitOfWork(office) as uow:
            visit = _visit(uow, event)
            visit.refuse(_("Sorry, something went wrong and nothing was saved. "
                           "Please try again in a moment."))
            uow.commit()
    except Exception:
        log.exception("could not even apologise for %s", event.key)


def _visit(uow: UnitOfWork, event: Event) -> Visit:
    person = person_by_telegram(uow.session, event.user_id)
    language = (parse_language(person.language) if person else None) or language_from_code(
        event.language_code)
    if event.chat_kind is ChatKind.PRIVATE:
        uow.hint_language(event.chat_id, language)
    return Visit(uow, event, person, language)


def _dispatch(v: Visit) -> None:
    event = v.event
    if event.kind in (EventKind.USER_BLOCKED_BOT, EventKind.USER_UNBLOCKED_BOT):
        binding.blocked_changed(v, event.kind is EventKind.USER_BLOCKED_BOT)
    elif event.kind is EventKind.BOT_REMOVED:
        binding.bot_left_group(v)
    elif event.kind is EventKind.BOT_ADDED:
        v.log("bot_added_to_group", title=event.chat_title)
    elif event.chat_kind is ChatKind.GROUP:
        _in_group(v)
    else:
        _in_private(v)
    v.toast()  # every tap is answered, even when there is nothing to say


def _in_group(v: Visit) -> None:
    event = v.event
    if event.kind is EventKind.COMMAND and event.command == "bindgroup":
        binding.bind_group(v)
        return
    board = staff_chat_by_id(v.session, event.chat_id)
    if board is None or not board.active:
        return  # a group that is not bound gets nothing
    if event.kind is EventKind.BUTTON and event.button_data.startswith("acc:"):
        order = orders.order_from_data(v, event.button_data)
        if order is None:
            v.refuse(orders.STALE)
        else:
            orders.accept(v, order)
    elif event.kind is EventKind.BUTTON:
        verb = event.button_data.split(":", 1)[0]
        if not followups.group_button(v, board, verb, event.button_data):
            v.refuse(orders.STALE)


def _in_private(v: Visit) -> None:
    event = v.event
    if event.kind is EventKind.TEXT and len(event.text) > MAX_INPUT:
        v.reply(_("That message is too long. Please shorten it and send it again."))
        return
    if event.kind is EventKind.COMMAND:
        _command(v)
        return
    conversation = conversations.load(v.session, event.chat_id, event.user_id)
    if event.kind is EventKind.BUTTON and not event.button_data.startswith("d:"):
        _button(v)
        return
    if conversation is not None and binding.is_registered(v.person):
        _run(v, FLOWS[conversation.flow](conversation, event, v.context()))
        return
    if event.kind is EventKind.BUTTON:
        v.refuse(orders.STALE)
    elif event.kind is EventKind.CONTACT:
        binding.bind_by_contact(v)
    elif not binding.is_registered(v.person):
        _unregistered(v)
    elif event.kind is EventKind.TEXT and event.text.strip():
        _run(v, intake.free_text(v, event.text.strip()))
    elif event.kind is EventKind.PHOTO:
        v.reply(_("Thank you for the photo. Please tell me in words what is wrong, "
                  "then send the photos again when I ask for them."))
    else:
        v.reply(_("Sorry, I can only read text, photos and contacts. Please write what you "
                  "need, or use /menu."))


def _unregistered(v: Visit) -> None:
    """Strangers are asked to bind — but an emergency is never made to wait for that."""
    text = v.event.text.strip() if v.event.kind is EventKind.TEXT else ""
    guess = triage(text) if text else None
    if guess is not None and guess.emergency and guess.hazard:
        intake.report_emergency(v, ReportEmergency(text, guess.hazard, guess.trade or "other",
                                                   guess.location or "unit"))
        return
    v.reply(welcome_unbound(), share_contact_keyboard())


def _command(v: Visit) -> None:
    command = v.event.command
    if command == "start":
        conversations.save(v.session, v.chat_id, v.event.user_id, None, v.now)
        binding.start(v)
    elif command == "language":
        v.reply(_("Choose your language:"), language_keyboard())
    elif not binding.is_registered(v.person):
        v.reply(welcome_unbound(), share_contact_keyboard())
    elif command in ("menu", "cancel"):
        had_dialog = conversations.load(v.session, v.chat_id, v.event.user_id) is not None
        conversations.save(v.session, v.chat_id, v.event.user_id, None, v.now)
        if command == "cancel":
            v.reply(_("Stopped. Nothing was sent.") if had_dialog else _("Nothing to stop."))
        assert v.person is not None
        v.reply(menu_text(v.person.name), main_menu(is_staff(v.person)))
    elif command == "my":
        orders.my_requests(v)
    elif command == "jobs":
        orders.my_jobs(v)
    elif command == "help":
        v.reply(help_text(is_staff(v.person)))
    else:
        v.reply(_("Sorry, I don't know that command. Try /menu or /help."))


def _button(v: Visit) -> None:
    """Menu, language and work-order buttons; every one re-checked by its handler."""
    data = v.event.button_data
    verb = data.split(":", 1)[0]
    if verb == "lang":
        binding.choose_language(v, data[5:])
        return
    if not binding.is_registered(v.person):
        v.refuse(_("Please link this chat to your home first: /start"))
        return
    if verb == "m":
        _menu(v, data[2:])
        return
    if followups.private_button(v, verb, data):
        return
    if verb == "sos" and data[4:] in EMERGENCY_BUTTONS:
        v.toast()
        intake.report_emergency_button(v, data[4:])
        return
    order = orders.order_from_data(v, data)
    if order is None:
        v.refuse(orders.STALE)
        return
    questions = {"tm": "new_time", "pr": "price", "done": "done_note", "dmg": "damage",
                 "rw": "rework_reason", "cx": "cancel_reason"}
    if verb in questions:
        _run(v, orders.ask_about(v, order, questions[verb]))
    elif verb == "way":
        orders.on_way(v, order)
    elif verb == "ok":
        orders.confirm(v, order)
    elif verb in ("ta", "pa") and data.endswith((":y", ":n")):
        answer = orders.answer_time if verb == "ta" else orders.answer_price
        answer(v, order, data.endswith(":y"))
    elif verb == "card":
        orders.show_card(v, order)
    else:
        v.refuse(orders.STALE)


def _menu(v: Visit, choice: str) -> None:
    context = v.context()
    starts: dict[str, Callable[[], None]] = {
        "repair": lambda: _run(v, repair.start(context, new_nonce())),
        "service": lambda: _run(v, service.start(context, new_nonce())),
        "my": lambda: orders.my_requests(v),
        "jobs": lambda: orders.my_jobs(v),
        "lang": lambda: v.reply(_("Choose your language:"), language_keyboard()),
        "sos": lambda: v.reply(_("What is happening? One tap alerts the on-duty staff."),
                               emergency_keyboard()),
    }
    if choice not in starts:
        v.refuse(orders.STALE)
        return
    v.toast()
    starts[choice]()


def _run(v: Visit, outcome: Outcome | None) -> None:
    """Store the dialog's new state, send its replies, carry out its command."""
    if outcome is None:
        return
    conversations.save(v.session, v.chat_id, v.event.user_id, outcome.conversation, v.now)
    v.uow.send(*outcome.replies)
    if outcome.command is not None:
        _carry_out(v, outcome.command)


def _carry_out(v: Visit, command: Command) -> None:
    match command:
        case SubmitRepair():
            intake.submit_repair(v, command)
        case SubmitService():
            intake.submit_service(v, command)
        case RecordDemand():
            intake.record_demand(v, command)
        case ToFrontDesk():
            intake.to_front_desk(v, command)
        case ReportEmergency():
            intake.report_emergency(v, command)
        case AnswerText():
            orders.answer(v, command)
