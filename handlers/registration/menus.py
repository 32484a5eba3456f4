"""Each chat's own "/" command menu: a staff member's private chat shows their role's
commands, each bound group its purpose's, and someone reading Traditional Chinese gets their
menu in it — Telegram's menus per language know only two-letter codes ("zh" is both scripts),
so only a chat's own menu can be in zh_Hant. Everyone else has the default menus the bot sets
at start-up (``bot/runtime.py``): residents' commands in private chats, /bindgroup in groups.

Handlers only ask for a menu (a :class:`CommandMenu` in the outbox); ``bot/`` sets it.
"""

from __future__ import annotations

from sqlmodel import col, select

from dialogs import commands
from dialogs.events import CommandMenu
from handlers.office import Office
from handlers.office.people import STAFF_ROLES, is_staff
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import Text
from storage.models import Person, StaffChat

OWN_MENU_LANGUAGE = "zh_Hant"  # the one language the default menus cannot carry


def _pairs(menu: tuple[commands.MenuCommand, ...]) -> tuple[tuple[str, Text], ...]:
    return tuple((command.name, command.menu) for command in menu)


def needs_own_menu(person: Person) -> bool:
    """Staff, and readers of Traditional Chinese: the default private menu does not fit."""
    return is_staff(person) or person.language == OWN_MENU_LANGUAGE


def person_menu(chat_id: int, role: str) -> CommandMenu:
    """The menu of a private chat: the role's commands, in the chat's language."""
    return CommandMenu(chat_id, _pairs(commands.for_person(role)))


def group_menu(chat: StaffChat) -> CommandMenu:
    """The menu of a bound group: its purpose's commands, in the group's language."""
    return CommandMenu(chat.chat_id, _pairs(commands.for_group(chat.purpose)))


def refresh_all(office: Office) -> int:
    """At start-up: ask again for every chat's own menu (the role or language may have
    changed while the bot was down, or a menu was never set). Returns how many."""
    with UnitOfWork(office) as uow:
        waiting = set(uow.session.exec(select(OUTBOX.c.chat_id).where(
            OUTBOX.c.op == "commands", OUTBOX.c.status == "pending")).all())
        people = uow.session.exec(select(Person).where(
            col(Person.telegram_user_id).is_not(None),
            col(Person.role).in_(STAFF_ROLES) | (col(Person.language) == OWN_MENU_LANGUAGE))
            .order_by(col(Person.id))).all()
        groups = uow.session.exec(select(StaffChat).where(col(StaffChat.active).is_(True))
                                  .order_by(col(StaffChat.id))).all()
        menus = ([person_menu(p.telegram_user_id, p.role) for p in people
                  if p.telegram_user_id is not None] + [group_menu(g) for g in groups])
        menus = [menu for menu in menus if menu.chat_id not in waiting]
        uow.send(*menus)
        uow.log("command_menus_refreshed", chats=len(menus))
        uow.commit()
    return len(menus)
