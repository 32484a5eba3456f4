"""Who may use the bot: residents bind to units, staff redeem invites, groups become boards."""

from __future__ import annotations

import unicodedata

from sqlalchemy import update
from sqlmodel import col, select

from dialogs.events import RemoveKeyboard, Say
from dialogs.menu import (
    LANGUAGE_NAMES,
    main_menu,
    menu_text,
    share_contact_keyboard,
    welcome_unbound,
)
from dialogs.model import ROLE_NAMES, TRADE_NAMES
from handlers.delivery import unreachable as delivery
from handlers.front_desk import complaint_notices
from handlers.office.caller import Caller
from handlers.office.people import (
    households_of,
    is_staff,
    normalise_phone,
    phone_digits,
    staff_chat,
    staff_chat_by_id,
    unit_label,
)
from handlers.registration import menus, roster, unlinked_message
from locales import Msg, Raw, Text, _, lines, parse_language
from storage.models import Household, Invite, Person, Residence, StaffChat

INVALID_CODE = _("This code is not valid or was already used. Please check it with the office.")
GROUP_PURPOSES: dict[str, Msg] = {
    "dispatch": _("the dispatch desk"),
    "managers": _("the managers' chat"),
    "emergency": _("the on-duty (emergency) chat"),
}


def is_registered(person: Person | None) -> bool:
    """Bound to a unit or staff: a guest has only chosen a language."""
    return person is not None and person.role != "guest"


def _person_for(caller: Caller) -> Person:
    """The acting person's row, created on first contact."""
    if caller.person is None:
        caller.person = Person(telegram_user_id=caller.event.user_id, role="guest",
                               name=caller.event.user_name, language=caller.language,
                               created_at=caller.now)
        caller.session.add(caller.person)
        caller.session.flush()
    return caller.person


def as_printed(typed: str) -> str:
    """A code as the office printed it: typed from paper it may come in small letters, with
    spaces, or in full width from a Chinese input method (ｈ－７ＫＸ２; the codes are capitals,
    digits and a dash only)."""
    return "".join(unicodedata.normalize("NFKC", typed).split()).upper()


def looks_like_code(text: str) -> bool:
    """Whether a message is just a code, sent without /start."""
    return roster.CODE.fullmatch(as_printed(text)) is not None


def start(caller: Caller) -> None:
    """/start [CODE]: bind with a household code or a staff invite, or show where to begin."""
    if caller.event.text.strip():
        redeem(caller, caller.event.text)
    elif is_registered(caller.person):
        assert caller.person is not None
        caller.reply(menu_text(caller.person.name), main_menu(is_staff(caller.person)))
    else:
        caller.reply(welcome_unbound(), share_contact_keyboard())
        if caller.language == menus.OWN_MENU_LANGUAGE:  # a stranger's menu in Traditional
            caller.uow.send(menus.person_menu(caller.chat_id, "guest"))


def redeem(caller: Caller, typed: str) -> None:
    """Bind with a household code or a staff invite (as typed: read as printed)."""
    code = as_printed(typed)
    household = caller.session.exec(select(Household).where(Household.bind_code == code)).first()
    if household is not None and _linked_to(caller, household):
        # A second letter for the same home: the code stays for the rest of the household.
        caller.reply(_("This chat is already linked to unit {unit}. Nothing was changed: the "
                       "code still works for someone else in your home.",
                       unit=Raw(unit_label(household))),
                     main_menu(is_staff(caller.person)))
        return
    if household is not None:
        # A code works once: of two people sending it at the same moment, one claims it.
        claimed = caller.session.execute(update(Household).where(
            col(Household.id) == household.id, col(Household.bind_code) == code)
            .values(bind_code=None))
        caller.session.refresh(household)
        if getattr(claimed, "rowcount", 0) != 1:
            caller.reply(INVALID_CODE)
            return
        _bind_household(caller, [household], via="code")
        unlinked_message.offer(caller)
        return
    invite = caller.session.exec(select(Invite).where(Invite.code == code)).first()
    if invite is None or invite.used_at is not None:
        caller.reply(INVALID_CODE)
        return
    if invite.kind == "group":
        caller.reply(_("This is a group code: send /bindgroup {code} in the group chat.",
                  code=Raw(code)))
        return
    if not _claimed(caller, invite):
        caller.reply(INVALID_CODE)
        return
    person = _person_for(caller)
    person.role = invite.role
    person.trades = list(invite.trades)
    person.rank = invite.rank
    person.name = invite.name or person.name or caller.event.user_name
    caller.session.add(person)
    caller.log("staff_bound", role=invite.role, trades=invite.trades, invite=invite.code)
    caller.reply(lines(_("Welcome, {name}! You are registered as {role}.", name=Raw(person.name),
                    role=ROLE_NAMES.get(invite.role, Raw(invite.role))),
                  _("Your trades:") if invite.trades else None,
                  *[TRADE_NAMES[t] for t in invite.trades if t in TRADE_NAMES]),
            RemoveKeyboard())
    caller.reply(menu_text(person.name), main_menu(True))
    caller.uow.send(menus.person_menu(caller.chat_id, person.role))  # the role's "/" menu
    complaint_notices.post_unseen(caller.uow)  # what came in before anyone could see it


def _claimed(caller: Caller, invite: Invite) -> bool:
    """Mark *invite* used by the caller, if it still is unused: of two people sending the
    same code at the same moment, exactly one gets it."""
    claimed = caller.session.execute(update(Invite).where(
        col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=caller.now, used_by_telegram_id=caller.event.user_id))
    caller.session.refresh(invite)
    return getattr(claimed, "rowcount", 0) == 1


def _linked_to(caller: Caller, household: Household) -> bool:
    """Whether the caller's chat is linked to *household* already."""
    return any(h.id == household.id for h in households_of(caller.session, caller.person))


def _bind_household(caller: Caller, households: list[Household], via: str) -> None:
    """Link the caller's chat to *households* (the roster's, for one code or one number) and
    welcome them once, naming every unit."""
    person = _person_for(caller)
    if person.role == "guest":
        person.role = "resident"
        person.name = households[0].name
        person.phone = households[0].phone
    for household in households:
        exists = caller.session.exec(select(Residence).where(
            Residence.person_id == person.id, Residence.household_id == household.id)).first()
        if exists is None:
            assert person.id is not None and household.id is not None
            caller.session.add(Residence(person_id=person.id, household_id=household.id,
                                         bound_at=caller.now, bound_by=via))
        caller.log("resident_bound", unit=unit_label(household), via=via)
    caller.session.add(person)
    name, units = Raw(person.name), [Raw(unit_label(h)) for h in households]
    caller.reply(_("Welcome, {name}! This chat is now linked to unit {unit}.", name=name,
                   unit=units[0]) if len(units) == 1 else lines(
        _("Welcome, {name}! This chat is now linked to these units:", name=name), *units),
        RemoveKeyboard())
    caller.reply(menu_text(person.name), main_menu(is_staff(person)))
    if menus.needs_own_menu(person):
        caller.uow.send(menus.person_menu(caller.chat_id, person.role))


def bind_by_contact(caller: Caller) -> None:
    """Bind when the shared contact is the sender's own and its number is on the roster."""
    if caller.event.contact_user_id != caller.event.user_id:
        caller.reply(_("Please share your own phone number with the button below."),
                share_contact_keyboard())
        return
    phone = normalise_phone(caller.event.contact_phone)
    candidates = caller.session.exec(select(Household).where(
        phone_digits(col(Household.phone)).contains(phone[-8:]))).all() if len(phone) >= 8 \
        else []
    matches = [h for h in candidates if normalise_phone(h.phone) == phone]
    if not matches:
        caller.reply(_("This number is not on our roster. Please ask the office for a binding "
                  "code."), RemoveKeyboard())
        return
    _bind_household(caller, matches, via="contact")
    unlinked_message.offer(caller)


def bind_group(caller: Caller) -> None:
    """/bindgroup CODE in a group: make it a trade's job board or a staff chat."""
    if not is_staff(caller.person) or caller.person is None:
        caller.reply(_("Only office staff can bind a group. Register with your staff code first."))
        return
    code = as_printed(caller.event.text)
    if not code:
        caller.reply(_("To bind this group, send /bindgroup with a group code from the office "
                       "here: /bindgroup CODE. The office admin makes the code for this group "
                       "on the office computer ({command} --trade … for a trade's job board, "
                       "or --role dispatch, managers or emergency). Nothing was changed.",
                       command=Raw("frontline invite group")))
        return
    invite = caller.session.exec(select(Invite).where(Invite.code == code)).first()
    if invite is None or invite.kind != "group" or invite.used_at is not None:
        caller.reply(INVALID_CODE)
        return
    if not _claimed(caller, invite):  # another group took it at the same moment
        caller.reply(INVALID_CODE)
        return
    purpose = "trade" if invite.trades else invite.role
    taken_over = _taken_over(caller, purpose, list(invite.trades))
    chat = (staff_chat_by_id(caller.session, caller.chat_id)
            or StaffChat(chat_id=caller.chat_id, purpose=""))
    held = _jobs_held(caller, chat)
    chat.purpose = purpose
    chat.trades = list(invite.trades)
    chat.title, chat.active, chat.bound_at = caller.event.chat_title, True, caller.now
    chat.language = caller.person.language
    caller.session.add(chat)
    caller.session.flush()
    caller.log("group_bound", purpose=chat.purpose, trades=chat.trades)
    caller.uow.send(menus.group_menu(chat))
    title = _group_name(chat)
    for holder, trades in taken_over:
        # The old group would otherwise wait for cards that no longer come to it.
        caller.uow.send(Say(holder.chat_id, lines(
            _("ℹ️ New jobs for these trades now go to the group “{title}”, not here:",
              title=title), *[TRADE_NAMES[t] for t in trades]) if trades else _(
            "ℹ️ This group is no longer {what}: from now on it is the group “{title}”.",
            what=GROUP_PURPOSES[chat.purpose], title=title)))
    replaced = [_("It takes over from “{group}”, which has been told.", group=_group_name(holder))
                for holder, _trades in taken_over]
    left = _handed_on(caller, chat, held)
    if chat.trades:
        caller.reply(lines(_("✅ This group is now the job board for:"),
                      *[TRADE_NAMES[t] for t in chat.trades], *replaced, left))
    else:
        caller.reply(lines(_("✅ This group is now {what}.", what=GROUP_PURPOSES[chat.purpose]),
                           *replaced, left))
    complaint_notices.post_unseen(caller.uow)  # what came in while no group could see it


Job = tuple[str, str | None]  # a group's job: its purpose, and the trade of a job board


def _jobs_held(caller: Caller, chat: StaffChat) -> list[Job]:
    """The jobs *chat* does now: those it is the newest active group for."""
    if not chat.active or not chat.purpose:
        return []
    jobs: list[Job] = ([("trade", t) for t in chat.trades] if chat.purpose == "trade"
                       else [(chat.purpose, None)])
    return [job for job in jobs
            if (holder := staff_chat(caller.session, *job)) and holder.chat_id == chat.chat_id]


def _handed_on(caller: Caller, chat: StaffChat, held: list[Job]) -> Text | None:
    """The jobs *chat* did (*held*) and no longer does, said plainly to whoever bound it: the
    binding wins (the code was made for the new job), but an old job must not go without a
    group unnoticed, nor back to an older group that was told it no longer had it."""
    gone = [job for job in held if job[0] != chat.purpose
            or (job[1] is not None and job[1] not in chat.trades)]
    lost: list[Job] = []
    back: dict[int, tuple[StaffChat, list[Job]]] = {}
    for job in gone:
        holder = staff_chat(caller.session, *job)
        if holder is None:
            lost.append(job)
        else:
            back.setdefault(holder.chat_id, (holder, []))[1].append(job)
    said: list[Text] = []
    for holder, jobs in back.values():
        trades = [TRADE_NAMES[t] for _p, t in jobs if t in TRADE_NAMES]
        caller.uow.send(Say(holder.chat_id, lines(
            _("ℹ️ New jobs for these trades come to this group again:"), *trades)
            if trades else _("ℹ️ This group is {what} again.",
                             what=GROUP_PURPOSES[jobs[0][0]])))
        said.append(_("Its old jobs go back to “{group}”, which has been told.",
                      group=_group_name(holder)))
    lost_trades = [TRADE_NAMES[t] for _p, t in lost if t in TRADE_NAMES]
    if lost_trades:
        said.append(lines(_("⚠️ This group is no longer the job board for:"), *lost_trades,
                          _("No group takes these jobs now. To give them one, send /bindgroup "
                            "with a new group code from the office in that group.")))
    said.extend(_("⚠️ This group is no longer {what}, and {what} now has no group. To give it "
                  "one, send /bindgroup with a new group code from the office in that group.",
                  what=GROUP_PURPOSES[purpose])
                for purpose, trade in lost if trade is None and purpose in GROUP_PURPOSES)
    return lines(*said) if said else None


def bind_group_in_private(caller: Caller) -> None:
    """/bindgroup in a private chat: it binds the chat it is sent in, so say where it is used
    (and by whom) and change nothing: a code sent along stays unused."""
    caller.reply(_("/bindgroup is used inside the group chat to be bound: add the bot to the "
                   "group, then an office admin (or staff member) sends /bindgroup with the "
                   "group code from the office there. Nothing was changed."))


def _group_name(chat: StaffChat) -> Raw:
    return Raw(chat.title or str(chat.chat_id))


def _taken_over(caller: Caller, purpose: str,
                trades: list[str]) -> list[tuple[StaffChat, list[str]]]:
    """The other groups that binding this one takes a job from: the group that is *purpose*
    now, or, for a job board, each group that takes some of *trades* now (with those)."""
    if not trades:
        holder = staff_chat(caller.session, purpose)
        return [(holder, [])] if holder is not None and holder.chat_id != caller.chat_id else []
    taken: dict[int, tuple[StaffChat, list[str]]] = {}
    for trade in trades:
        holder = staff_chat(caller.session, "trade", trade)
        if holder is not None and holder.chat_id != caller.chat_id:
            taken.setdefault(holder.chat_id, (holder, []))[1].append(trade)
    return list(taken.values())


def bot_left_group(caller: Caller) -> None:
    """The bot was removed: stop posting there until the group is bound again."""
    chat = staff_chat_by_id(caller.session, caller.chat_id)
    if chat is not None and chat.active:
        chat.active = False
        caller.session.add(chat)
    caller.log("bot_removed_from_group")


def blocked_changed(caller: Caller, blocked: bool) -> None:
    """Remember that a person blocked (or unblocked) the bot: while blocked their messages are
    held; once back, what was held goes out."""
    if caller.person is not None:
        caller.person.blocked_bot = blocked
        caller.session.add(caller.person)
        caller.uow.reach_changed()  # a sender's hand-off must not go on what it knew before
        if not blocked:
            delivery.release_held(caller.uow, caller.chat_id)
    caller.log("user_blocked_bot" if blocked else "user_unblocked_bot")


def back_in_touch(caller: Caller) -> None:
    """Anything a person flagged unreachable sends in their private chat means they are back
    (Telegram delivers nothing from someone who blocks the bot)."""
    if caller.person is not None and caller.person.blocked_bot:
        blocked_changed(caller, False)


def choose_language(caller: Caller, value: str) -> None:
    """Store the chosen language; the answer already comes in it."""
    language = parse_language(value)
    if language is None:
        caller.refuse(_("Unknown language."))
        return
    person = _person_for(caller)
    person.language = language
    caller.session.add(person)
    caller.language = language
    caller.uow.hint_language(caller.chat_id, language)
    # Always: the chat may have a menu of its own, in the language it had until now.
    caller.uow.send(menus.person_menu(caller.chat_id, person.role))
    caller.toast()
    caller.reply(_("Language set to {name}.", name=Raw(LANGUAGE_NAMES[language])),
            main_menu(is_staff(person)) if is_registered(person) else None)

