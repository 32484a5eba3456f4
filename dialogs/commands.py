"""The bot's command menu, shown by Telegram in each language (setMyCommands)."""

from __future__ import annotations

from typing import Final

from locales import Msg, _

# (command, description) for private chats; staff commands are listed too: Telegram shows one
# menu per language, and a command a person may not use answers politely.
PRIVATE_COMMANDS: Final[tuple[tuple[str, Msg], ...]] = (
    ("start", _("Start or bind with a code")),
    ("menu", _("Main menu")),
    ("my", _("My requests")),
    ("fees", _("My fees")),
    ("jobs", _("My open jobs (technicians)")),
    ("shift", _("Go on or off shift (technicians)")),
    ("complaints", _("Open complaints and their clocks (staff)")),
    ("language", _("Change language")),
    ("cancel", _("Stop what I am doing")),
    ("help", _("How to use this bot")),
)

GROUP_COMMANDS: Final[tuple[tuple[str, Msg], ...]] = (
    ("bindgroup", _("Bind this group with an office code")),
    ("complaints", _("Open complaints and their clocks")),
)
