"""The bot's command menus (setMyCommands), one definition for the menus and for /help.

Each command says who it is for: roles in a private chat, the group's purpose in a bound group.
Residents see the resident commands (the default menu for private chats); staff members and
each bound group get a menu of their own, set for that chat (``BotCommandScopeChat``) in its
language — which is also how Traditional Chinese gets its own menu, Telegram's menus per
language knowing only two-letter codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from locales import Msg, _

# Who a private-chat command is for, by role ("resident" also stands for anyone not staff).
EVERYONE: Final = frozenset({"resident", "technician", "dispatcher", "manager", "admin",
                             "butler"})
STAFF: Final = EVERYONE - {"resident"}
DESK: Final = frozenset({"dispatcher", "manager", "admin", "butler"})
DISPATCHERS: Final = frozenset({"dispatcher", "manager", "admin"})  # they assign and cancel jobs
# Who a group command is for, by the bound group's purpose.
ALL_GROUPS: Final = frozenset({"trade", "dispatch", "managers", "emergency"})
DESK_GROUPS: Final = frozenset({"dispatch", "managers"})


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """One command: its line in Telegram's "/" menu, its line in /help (if the menu line does
    not say enough), and who it is for."""

    name: str
    menu: Msg
    who: frozenset[str]
    help: Msg | None = None


PRIVATE_COMMANDS: Final[tuple[MenuCommand, ...]] = (
    MenuCommand("start", _("Start or bind with a code"), EVERYONE),
    MenuCommand("menu", _("Main menu"), EVERYONE,
                _("Write what is wrong in your own words, or use the menu: /menu.")),
    MenuCommand("my", _("My requests"), EVERYONE,
                _("/my shows your requests; a request can be cancelled until work starts.")),
    MenuCommand("fees", _("My fees"), EVERYONE,
                _("/fees shows your fees: what is due, what you paid, any late fee.")),
    MenuCommand("language", _("Change language"), EVERYONE,
                _("/language changes the language; /cancel stops what you are doing.")),
    MenuCommand("cancel", _("Stop what I am doing"), EVERYONE),
    MenuCommand("jobs", _("My open jobs"), STAFF,
                _("/jobs lists your open jobs. Accept new jobs in your trade's group.")),
    MenuCommand("shift", _("Go on or off shift"), frozenset({"technician"}),
                _("/shift on or /shift off: while you are off shift, new jobs go to others "
                  "or to the dispatcher.")),
    MenuCommand("complaints", _("Open complaints and their clocks"), DESK),
    MenuCommand("announce", _("Send an announcement or a planned outage (desk, managers)"),
                DESK),
    MenuCommand("find", _("Find a work order by number, unit or phone (desk)"), DISPATCHERS,
                _("Dispatchers and managers: /find an order by number, unit or phone "
                  "(reassign or cancel it from there), /history of a unit.")),
    MenuCommand("history", _("A unit's orders, complaints and callbacks (desk)"), DISPATCHERS),
    MenuCommand("help", _("How to use this bot"), EVERYONE),
)

GROUP_COMMANDS: Final[tuple[MenuCommand, ...]] = (
    MenuCommand("complaints", _("Open complaints and their clocks"), DESK_GROUPS),
    MenuCommand("reschedule", _("Move a visit: /reschedule WO-…"), DESK_GROUPS),
    MenuCommand("announce", _("Send an announcement (managers' chat)"), frozenset({"managers"})),
    MenuCommand("find", _("Find a work order by number, unit or phone"), DESK_GROUPS),
    MenuCommand("history", _("A unit's orders, complaints and callbacks"), DESK_GROUPS),
    MenuCommand("fees", _("A unit's fees: record a payment, waive a late fee"), DESK_GROUPS),
    MenuCommand("help", _("What this group is for"), ALL_GROUPS),
)
# What a group the office has not bound shows: the one command that works there.
UNBOUND_GROUP_COMMANDS: Final[tuple[MenuCommand, ...]] = (
    MenuCommand("bindgroup", _("Bind this group with an office code"), ALL_GROUPS),
)


def for_person(role: str) -> tuple[MenuCommand, ...]:
    """The private-chat menu of someone with *role* (a guest's is a resident's)."""
    who = role if role in EVERYONE else "resident"
    return tuple(c for c in PRIVATE_COMMANDS if who in c.who)


def for_group(purpose: str) -> tuple[MenuCommand, ...]:
    """The menu of a group bound for *purpose*."""
    return tuple(c for c in GROUP_COMMANDS if purpose in c.who)
