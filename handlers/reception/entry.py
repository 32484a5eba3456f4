"""The core's single entry: one event in, one transaction, answers into the outbox.

``handle`` is what every adapter calls (aiogram, python-telegram-bot, tests, the sandbox).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError

from dialogs import (
    announce,
    answers,
    complaint,
    danger_check,
    fees,
    forwarded,
    question_unit,
    repair,
    service,
)
from dialogs.buttons import Verb, parse
from dialogs.events import ChatKind, Event, EventKind
from dialogs.menu import (
    group_help,
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
    DraftAnnouncement,
    Outcome,
    RecordDemand,
    ReportEmergency,
    ReportOngoingDamage,
    ResumeWith,
    SubmitComplaint,
    SubmitRepair,
    SubmitService,
    ToFrontDesk,
)
from dialogs.triage import triage
from dialogs.triage import warm_up as build_triage
from handlers.announcements import outages
from handlers.front_desk import faq, inbox
from handlers.office import Office
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.people import is_staff, staff_chat_by_id, who_is_writing
from handlers.office.permissions import OUT_OF_DATE
from handlers.office.unit_of_work import DatabaseUnavailable, UnitOfWork
from handlers.reception import edits, prompts, questions
from handlers.reception.answers import apply_answer
from handlers.reception.buttons import BUTTONS, Where
from handlers.reception.desks import (
    announcements,
    complaint_records,
    complaints,
    desk_tools,
    fee_residents,
    fee_staff,
)
from handlers.registration import binding, unlinked_message
from handlers.requests import emergencies, intake, ongoing_damage
from handlers.requests.emergencies import report_emergency
from handlers.requests.unmet_demand import record_demand
from handlers.work_orders import appointments, lists, shifts
from locales import _, language_from_code, parse_language
from storage.models import Person, StaffChat

log = logging.getLogger(__name__)

FLOWS: dict[str, Callable[[Conversation, Event, DialogContext], Outcome]] = {
    repair.FLOW: repair.step, service.FLOW: service.step, answers.FLOW: answers.step,
    danger_check.FLOW: danger_check.step, forwarded.FLOW: forwarded.step,
    fees.FLOW: fees.step, complaint.FLOW: complaint.step,
    announce.FLOW: announce.step, question_unit.FLOW: question_unit.step,
}
MAX_INPUT = 4096  # Telegram's own limit; anything longer is refused politely, not stored
ALBUM = "album"  # in a dialog's data: the album whose first photo it has answered


def warm_up(office: Office) -> float:
    """Build what reading a resident's words needs, the triage model (jieba's dictionary) and
    the office's FAQ index, in the calling thread; the seconds spent. Both are built under a
    lock: a text that comes while this runs waits for it, one that comes first builds them."""
    started = time.perf_counter()
    build_triage()
    faq.load_faq(office.rules.faq_path)
    return time.perf_counter() - started


def handle(office: Office, event: Event) -> None:
    """Handle one event exactly once; on failure roll back and ask the person to retry.

    Raises :class:`DatabaseUnavailable` when the database fails the transaction twice: an
    apology would need the same database, and the update must be tried again instead.
    """
    for attempt in (1, 2):
        try:
            with UnitOfWork(office) as uow:
                claimed, person = uow.claim_and_find_writer(event.key, event.user_id,
                                                            event.chat_id)
                if not claimed:
                    return
                _dispatch(_caller(uow, event, person))
                uow.commit()
                return
        except OperationalError as error:
            # A busy or unreachable database: the transaction rolled back as a whole, so
            # trying once more is safe; a second failure is the caller's to retry later.
            if attempt == 2:
                raise DatabaseUnavailable(f"event {event.key}: {error}") from error
        except IntegrityError:
            # Two writers met (a concurrent tap): trying once more is safe.
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
            caller = _caller(uow, event, who_is_writing(uow.session, event.user_id,
                                                        event.chat_id, uow.now))
            caller.refuse(_("Sorry, something went wrong and nothing was saved. "
                           "Please try again in a moment."))
            uow.commit()
    except Exception:
        log.exception("could not even apologise for %s", event.key)


def _caller(uow: UnitOfWork, event: Event, person: Person | None) -> Caller:
    language = (parse_language(person.language) if person else None) or language_from_code(
        event.language_code)
    if event.chat_kind is ChatKind.PRIVATE:
        uow.hint_language(event.chat_id, language)
    return Caller(uow, event, person, language)


def _dispatch(caller: Caller) -> None:
    event = caller.event
    if event.kind in (EventKind.USER_BLOCKED_BOT, EventKind.USER_UNBLOCKED_BOT):
        binding.blocked_changed(caller, event.kind is EventKind.USER_BLOCKED_BOT)
    elif event.kind is EventKind.BOT_REMOVED:
        binding.bot_left_group(caller)
    elif event.kind is EventKind.BOT_ADDED:
        caller.log("bot_added_to_group", title=event.chat_title)
    elif event.kind is EventKind.EDITED:
        if event.chat_kind is ChatKind.PRIVATE:
            edits.answer(caller)  # in groups an edit is passed over silently
    elif event.chat_kind is ChatKind.GROUP:
        _in_group(caller)
    else:
        binding.back_in_touch(caller)
        _in_private(caller)
    caller.toast()  # every tap is answered, even when there is nothing to say


def _in_group(caller: Caller) -> None:
    event = caller.event
    if event.kind is EventKind.COMMAND and event.command == "bindgroup":
        binding.bind_group(caller)
        return
    board = staff_chat_by_id(caller.session, event.chat_id)
    if board is None or not board.active:
        return  # a group that is not bound gets nothing
    if event.kind is EventKind.BUTTON:
        _button(caller, Where.GROUP, board)
    elif event.kind is EventKind.COMMAND and event.command == "complaints":
        complaint_records.show_in_chat(caller, board)
    elif event.kind is EventKind.COMMAND and event.command == "fees":
        fee_staff.household_card(caller, board, event.text)
    elif event.kind is EventKind.COMMAND and event.command == "announce":
        announcements.start_in_group(caller, board)
    elif event.kind is EventKind.COMMAND and event.command == "reschedule":
        appointments.reschedule_command(caller, board)
    elif event.kind is EventKind.COMMAND and event.command in desk_tools.COMMANDS:
        desk_tools.command(caller, board)
    elif event.kind is EventKind.COMMAND and event.command in ("help", "start"):
        caller.reply(group_help(board.purpose, caller.uow.office.rules.emergency_ack_minutes))


def _in_private(caller: Caller) -> None:
    event = caller.event
    if event.kind is EventKind.TEXT and len(event.text) > MAX_INPUT:
        caller.reply(_("That message is too long. Please shorten it and send it again."))
        return
    if event.kind is EventKind.COMMAND:
        _command(caller)
        return
    conversation = caller.dialog()
    tapped = parse(event.button_data) if event.kind is EventKind.BUTTON else None
    if event.kind is EventKind.BUTTON and (tapped is None or tapped.verb is not Verb.DIALOG
                                           or conversation is None):
        _button(caller, Where.PRIVATE, None)
        return
    if (event.forwarded and event.kind in (EventKind.TEXT, EventKind.PHOTO)
            and _someone_elses(caller, event.text.strip(), conversation)):
        return
    if conversation is not None and (binding.is_registered(caller.person)
                                     or conversation.flow in (danger_check.FLOW, forwarded.FLOW)):
        # Every word typed or put under a photo in any dialog step is checked for danger
        # before the step reads it (not the words of a notice staff are composing: they tell
        # of the danger, not one); a photo's caption keeps its photos on the emergency order.
        if (event.kind in (EventKind.TEXT, EventKind.PHOTO) and event.text.strip()
                and conversation.flow not in (danger_check.FLOW, announce.FLOW)
                and _danger_first(caller, event.text.strip(), conversation,
                                  event.photo_file_ids)):
            return
        _run(caller, FLOWS[conversation.flow](conversation, event, caller.context()))
        return
    if event.kind is EventKind.BUTTON:
        caller.refuse(OUT_OF_DATE)
    elif event.kind is EventKind.CONTACT:
        binding.bind_by_contact(caller)
    elif event.kind is EventKind.TEXT and binding.looks_like_code(event.text):
        binding.redeem(caller, event.text)  # the office's code, sent without /start
    elif (event.kind is EventKind.PHOTO and event.album and not event.text.strip()
          and (emergencies.album_rest(caller) or outages.album_rest(caller))):
        return  # the rest of an album that reported an emergency (on its order) or a planned
        # outage (with its report, for "report it anyway"): answered once
    elif not binding.is_registered(caller.person):
        _unregistered(caller)
    elif event.kind is EventKind.TEXT and event.text.strip():
        # A planned outage answers its own reports; an emergency goes first all the same.
        if not (_danger_first(caller, event.text.strip(), None)
                or outages.answered(caller, event.text.strip())):
            _run(caller, questions.free_text(caller, event.text.strip()))
    elif event.kind is EventKind.PHOTO:
        caption, photos = event.text.strip(), event.photo_file_ids
        # A caption speaks as a text does: an emergency first, then a planned outage.
        if not (caption and (_danger_first(caller, caption, None, photos)
                             or outages.answered(caller, caption, photos))):
            _run(caller, questions.photo_first(caller, caption, photos))
    else:
        caller.reply(_("Sorry, I can only read text, photos and contacts. Please write what you "
                  "need, or use /menu."))


def _someone_elses(caller: Caller, text: str, conversation: Conversation | None) -> bool:
    """Forwarded words that read like a repair or an emergency are someone else's until the
    forwarder says they are about their home: ask first, open nothing. So is a forwarded photo
    with a caption, whatever it says (a photo would otherwise open a repair report). True if it
    asked."""
    photos = caller.event.photo_file_ids if caller.event.kind is EventKind.PHOTO else ()
    guess = triage(text) if text else None
    if guess is None or not (guess.emergency or guess.emergency_uncertain
                             or guess.intent == "repair" or photos):
        return False
    # A question already waiting for Yes / No gives way to the newer one.
    paused = None if conversation is None or conversation.flow in (
        danger_check.FLOW, forwarded.FLOW) else conversation
    _run(caller, forwarded.ask(caller.context(), new_nonce(), text,
                               guess.emergency or guess.emergency_uncertain, paused, photos))
    return True


def _unregistered(caller: Caller) -> None:
    """Strangers are asked to bind — but an emergency is never made to wait for that."""
    event = caller.event
    text = event.text.strip() if event.kind in (EventKind.TEXT, EventKind.PHOTO) else ""
    photos = event.photo_file_ids if event.kind is EventKind.PHOTO else ()
    if text and _danger_first(caller, text, None, photos):
        return
    # Offered back once they have linked their home; an album is answered at its first photo.
    if not unlinked_message.keep(caller, text, photos, event.album):
        caller.reply(welcome_unbound(), share_contact_keyboard())


def _command(caller: Caller) -> None:
    command = caller.event.command
    if command == "start":
        _stop_dialog(caller)
        binding.start(caller)
    elif command == "language":
        caller.reply(_("Choose your language:"), language_keyboard())
    elif command == "bindgroup":
        binding.bind_group_in_private(caller)
    elif not binding.is_registered(caller.person):
        caller.reply(welcome_unbound(), share_contact_keyboard())
    elif command in ("menu", "cancel"):
        if not _stop_dialog(caller) and command == "cancel":
            caller.reply(_("Nothing to stop."))
        assert caller.person is not None
        caller.reply(menu_text(caller.person.name), main_menu(is_staff(caller.person)))
    elif command == "my":
        lists.my_requests(caller)
    elif command == "fees":
        fee_residents.my_fees(caller)
    elif command == "jobs":
        lists.my_jobs(caller)
    elif command == "complaints":
        complaint_records.show_in_chat(caller, None)
    elif command == "announce":
        _run(caller, announcements.start(caller))
    elif command == "reschedule":
        appointments.reschedule_command(caller, None)
    elif command in desk_tools.COMMANDS:
        desk_tools.command(caller, None)
    elif command == "shift":
        shifts.command(caller, caller.event.text)
    elif command == "help":
        assert caller.person is not None
        caller.reply(help_text(caller.person.role))
    else:
        caller.reply(_("Sorry, I don't know that command. Try /menu or /help."))


def _stop_dialog(caller: Caller) -> bool:
    """/start, /menu or /cancel in the middle of a dialog: it ends, its last question loses
    its buttons and the person is told that what they had filled in was not sent (not dropped
    silently). Whether there was one."""
    if caller.dialog() is None:
        return False
    prompts.close_prompt(caller)
    caller.save_dialog(None)
    caller.reply(_("Stopped. Nothing was sent."))
    return True


def _button(caller: Caller, where: Where, board: StaffChat | None) -> None:
    """A tap: parsed once, strictly, and handed to its verb's handler from the one table."""
    tapped = parse(caller.event.button_data)
    handler = BUTTONS.get(tapped.verb) if tapped is not None else None
    if tapped is None or handler is None or handler.where is not where:
        caller.refuse(OUT_OF_DATE)
        return
    if where is Where.PRIVATE and handler.needs_binding and not binding.is_registered(
            caller.person):
        caller.refuse(_("Please link this chat to your home first: /start"))
        return
    _run(caller, handler.act(caller, tapped, board))


def _run(caller: Caller, outcome: Outcome | None) -> None:
    """Store the dialog's new state, send its replies, carry out its command."""
    if outcome is None:
        return
    before = caller.dialog()
    album = caller.event.album if caller.event.kind is EventKind.PHOTO else ""
    if album and outcome.conversation is not None:
        # An album comes one photo per update: the dialog answers its first photo and takes
        # the rest quietly (its caption, if any, rides on the first).
        outcome.conversation.data[ALBUM] = album
        if (before is not None and before.data.get(ALBUM) == album
                and not caller.event.text.strip()):
            outcome = dataclasses.replace(outcome, replies=[])
    under_way = before is not None
    caller.save_dialog(outcome.conversation)
    caller.uow.send(*prompts.settle(caller, outcome, under_way))  # old questions lose buttons
    if outcome.command is not None:
        _carry_out(caller, outcome.command, outcome.conversation)


def _danger_first(caller: Caller, text: str, paused: Conversation | None,
                  photos: tuple[str, ...] = ()) -> bool:
    """An emergency goes down the emergency path now, whatever dialog is under way (its
    *photos* kept on the order); a message that might be one pauses the dialog and asks one
    Yes/No question. True if it did either."""
    guess = triage(text)
    if guess.emergency and guess.hazard:
        if paused is not None:
            caller.save_dialog(None)  # the emergency order carries the words; safety first
        report_emergency(caller, ReportEmergency(text, guess.hazard, guess.trade or "other",
                                                 guess.location or "unit", photos))
        return True
    if guess.emergency_uncertain:
        _run(caller, danger_check.ask(caller.context(), new_nonce(), text, guess.trade,
                                      guess.location, paused, photos))
        return True
    return False


def _resume(caller: Caller, text: str, paused: Conversation | None,
            photos: tuple[str, ...] = ()) -> None:
    """After "No, nobody is in danger" (or "Yes, my home" to a forwarded message): the paused
    dialog, or the free-text intake, goes on — with the forwarded photo as if just sent."""
    if paused is not None:
        typed = dataclasses.replace(caller.event, kind=EventKind.PHOTO if photos else
                                    EventKind.TEXT, text=text, photo_file_ids=photos,
                                    button_data="")
        _run(caller, FLOWS[paused.flow](paused, typed, caller.context()))
    elif binding.is_registered(caller.person):
        if not (text and outages.answered(caller, text, photos)):
            _run(caller, questions.photo_first(caller, text, photos) if photos
                 else questions.free_text(caller, text))
    else:
        unlinked_message.keep(caller, text, photos)
        caller.reply(welcome_unbound(), share_contact_keyboard())


def _carry_out(caller: Caller, command: Command, conversation: Conversation | None) -> None:
    match command:
        case SubmitRepair():
            intake.submit_repair(caller, command)
        case SubmitService():
            intake.submit_service(caller, command)
        case RecordDemand():
            record_demand(caller, command)
        case ToFrontDesk():
            if command.corrected_from:
                caller.log("triage_corrected", guessed=command.corrected_from,
                           chosen=command.kind, text=command.text)
            inbox.take_in(caller, command)
        case ReportEmergency():
            report_emergency(caller, command)
        case AnswerText():
            apply_answer(caller, command)
        case ResumeWith():
            if not (command.check_danger
                    and _danger_first(caller, command.text, conversation, command.photos)):
                _resume(caller, command.text, conversation, command.photos)
        case SubmitComplaint():
            complaints.submit(caller, command)
        case ReportOngoingDamage():
            ongoing_damage.report(caller, command)
        case DraftAnnouncement():
            announcements.draft(caller, command)
