"""Who may use the bot: residents bind to units, staff redeem invites, groups become boards."""

from __future__ import annotations

from sqlmodel import col, select

from dialogs.events import RemoveKeyboard
from dialogs.menu import (
    LANGUAGE_NAMES,
    main_menu,
    menu_text,
    share_contact_keyboard,
    welcome_unbound,
)
from dialogs.model import ROLE_NAMES, TRADE_NAMES
from handlers.people import is_staff, normalise_phone, staff_chat_by_id, unit_label
from handlers.visit import Visit
from locales import Msg, Raw, _, lines, parse_language
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


def _person_for(v: Visit) -> Person:
    """The acting person's row, created on first contact."""
    if v.person is None:
        v.person = Person(telegram_user_id=v.event.user_id, role="guest",
                          name=v.event.user_name, language=v.language, created_at=v.now)
        v.session.add(v.person)
        v.session.flush()
    return v.person


def start(v: Visit) -> None:
    """/start [CODE]: bind with a household code or a staff invite, or show where to begin."""
    code = v.event.text.strip()
    if not code:
        if is_registered(v.person):
            assert v.person is not None
            v.reply(menu_text(v.person.name), main_menu(is_staff(v.person)))
        else:
            v.reply(welcome_unbound(), share_contact_keyboard())
        return
    household = v.session.exec(select(Household).where(Household.bind_code == code)).first()
    if household is not None:
        _bind_household(v, household, via="code")
        household.bind_code = None  # a code works once
        v.session.add(household)
        return
    invite = v.session.exec(select(Invite).where(Invite.code == code)).first()
    if invite is None or invite.used_at is not None:
        v.reply(INVALID_CODE)
        return
    if invite.kind == "group":
        v.reply(_("This is a group code: send /bindgroup {code} in the group chat.",
                  code=Raw(code)))
        return
    person = _person_for(v)
    person.role = invite.role
    person.trades = list(invite.trades)
    person.name = invite.name or person.name or v.event.user_name
    invite.used_at, invite.used_by_telegram_id = v.now, v.event.user_id
    v.session.add_all([person, invite])
    v.log("staff_bound", role=invite.role, trades=invite.trades, invite=invite.code)
    v.reply(lines(_("Welcome, {name}! You are registered as {role}.", name=Raw(person.name),
                    role=ROLE_NAMES.get(invite.role, Raw(invite.role))),
                  _("Your trades:") if invite.trades else None,
                  *[TRADE_NAMES[t] for t in invite.trades if t in TRADE_NAMES]),
            RemoveKeyboard())
    v.reply(menu_text(person.name), main_menu(True))


def _bind_household(v: Visit, household: Household, via: str) -> None:
    person = _person_for(v)
    if person.role == "guest":
        person.role = "resident"
        person.name = household.name
        person.phone = household.phone
    exists = v.session.exec(select(Residence).where(
        Residence.person_id == person.id, Residence.household_id == household.id)).first()
    if exists is None:
        assert person.id is not None and household.id is not None
        v.session.add(Residence(person_id=person.id, household_id=household.id, bound_at=v.now,
                                bound_by=via))
    v.session.add(person)
    v.log("resident_bound", unit=unit_label(household), via=via)
    v.reply(_("Welcome, {name}! This chat is now linked to unit {unit}.",
              name=Raw(person.name), unit=Raw(unit_label(household))), RemoveKeyboard())
    v.reply(menu_text(person.name), main_menu(is_staff(person)))


def bind_by_contact(v: Visit) -> None:
    """Bind when the shared contact is the sender's own and its number is on the roster."""
    if v.event.contact_user_id != v.event.user_id:
        v.reply(_("Please share your own phone number with the button below."),
                share_contact_keyboard())
        return
    phone = normalise_phone(v.event.contact_phone)
    candidates = v.session.exec(select(Household).where(
        col(Household.phone).contains(phone[-8:]))).all() if len(phone) >= 8 else []
    matches = [h for h in candidates if normalise_phone(h.phone) == phone]
    if not matches:
        v.reply(_("This number is not on our roster. Please ask the office for a binding "
                  "code."), RemoveKeyboard())
        return
    for household in matches:
        _bind_household(v, household, via="contact")


def bind_group(v: Visit) -> None:
    """/bindgroup CODE in a group: make it a trade's job board or a staff chat."""
    if not is_staff(v.person) or v.person is None:
        v.reply(_("Only office staff can bind a group. Register with your staff code first."))
        return
    code = v.event.text.strip()
    invite = v.session.exec(select(Invite).where(Invite.code == code)).first() if code else None
    if invite is None or invite.kind != "group" or invite.used_at is not None:
        v.reply(INVALID_CODE)
        return
    chat = staff_chat_by_id(v.session, v.chat_id) or StaffChat(chat_id=v.chat_id, purpose="")
    chat.purpose = "trade" if invite.trades else invite.role
    chat.trades = list(invite.trades)
    chat.title, chat.active, chat.bound_at = v.event.chat_title, True, v.now
    chat.language = v.person.language
    invite.used_at, invite.used_by_telegram_id = v.now, v.event.user_id
    v.session.add_all([chat, invite])
    v.session.flush()
    v.log("group_bound", purpose=chat.purpose, trades=chat.trades)
    if chat.trades:
        v.reply(lines(_("✅ This group is now the job board for:"),
                      *[TRADE_NAMES[t] for t in chat.trades]))
    else:
        v.reply(_("✅ This group is now {what}.", what=GROUP_PURPOSES[chat.purpose]))


def bot_left_group(v: Visit) -> None:
    """The bot was removed: stop posting there until the group is bound again."""
    chat = staff_chat_by_id(v.session, v.chat_id)
    if chat is not None and chat.active:
        chat.active = False
        v.session.add(chat)
    v.log("bot_removed_from_group")


def blocked_changed(v: Visit, blocked: bool) -> None:
    """Remember that a person blocked (or unblocked) the bot, so nothing piles up for them."""
    if v.person is not None:
        v.person.blocked_bot = blocked
        v.session.add(v.person)
    v.log("user_blocked_bot" if blocked else "user_unblocked_bot")


def choose_language(v: Visit, value: str) -> None:
    """Store the chosen language; the answer already comes in it."""
    language = parse_language(value)
    if language is None:
        v.refuse(_("Unknown language."))
        return
    person = _person_for(v)
    person.language = language
    v.session.add(person)
    v.language = language
    v.uow.hint_language(v.chat_id, language)
    v.toast()
    v.reply(_("Language set to {name}.", name=Raw(LANGUAGE_NAMES[language])),
            main_menu(is_staff(person)) if is_registered(person) else None)

