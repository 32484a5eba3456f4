"""The office's ready answers (canned replies): offered as buttons when staff answer a
resident's question or complaint through the bot, and sent in the resident's own language.

The office owns the file (``canned_replies_path``; the shipped default is drawn from the
manuals). A tap is only a key: the answer is looked up again when it is sent, so an answer
the office has removed since is not sent, and the colleague is asked to write one instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from dialogs.answers import Ready
from dialogs.model import AnswerText
from handlers.front_desk.office_words import answer_text
from handlers.office import Office
from handlers.office.caller import Caller
from locales import LANGUAGES, Localized, Raw, Text, _

DEFAULT_PATH: Final = Path(__file__).parent / "data" / "canned_replies.yaml"
KINDS: Final = frozenset({"enquiry", "fee", "other", "complaint"})
KEY: Final = re.compile(r"[a-z][a-z0-9_]{0,29}")  # fits a dialog button's value


@dataclass(frozen=True, slots=True)
class CannedReply:
    """One ready answer: its button label, its text, the kinds of request it suits."""

    key: str
    label: Localized
    text: Localized
    kinds: frozenset[str]


def _localized(value: Any, what: str) -> Localized:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must give zh_Hans, zh_Hant and en")
    missing = [lang for lang in LANGUAGES if not str(value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{what} has nothing in {', '.join(missing)}")
    return Localized({lang: str(value[lang]).strip() for lang in LANGUAGES})


def parse_replies(data: Any, source: str = "canned replies") -> dict[str, CannedReply]:
    """The ready answers of the office's file, by key; raises ValueError naming what is
    wrong."""
    if not isinstance(data, list):
        raise ValueError(f"{source}: the file must be a list of ready answers")
    replies: dict[str, CannedReply] = {}
    for number, item in enumerate(data, start=1):
        key = item.get("key") if isinstance(item, Mapping) else None
        if not isinstance(key, str) or KEY.fullmatch(key) is None:
            raise ValueError(f"{source}: answer {number} needs a key of small letters, digits "
                             "and _ (at most 30)")
        if key in replies:
            raise ValueError(f"{source}: two answers share the key {key}")
        kinds = frozenset(item.get("for") or KINDS)
        if not kinds <= KINDS:
            raise ValueError(f"{source}: {key} is for unknown kinds "
                             f"{', '.join(sorted(kinds - KINDS))}")
        replies[key] = CannedReply(key, _localized(item.get("label"), f"{source}: {key}'s label"),
                                   _localized(item.get("text"), f"{source}: {key}'s text"),
                                   kinds)
    return replies


@cache
def load_replies(path: Path | None = None) -> dict[str, CannedReply]:
    """The office's ready answers (default: the shipped ones), read once per process."""
    source = path or DEFAULT_PATH
    return parse_replies(yaml.safe_load(source.read_text(encoding="utf-8")), str(source))


def offered(office: Office, kind: str) -> tuple[Ready, ...]:
    """The ready answers for a request of *kind*, as buttons with their texts."""
    return tuple(Ready(r.key, r.label, answer_text(office, r.text))
                 for r in load_replies(office.rules.canned_replies_path).values()
                 if kind in r.kinds)


def reply_of(caller: Caller, command: AnswerText) -> Text | None:
    """What the resident is sent: the words the colleague wrote, or the ready answer tapped
    (in every language, so each reader gets theirs). None, with the colleague told, when the
    office has removed that ready answer since it was offered."""
    if not command.canned:
        return Raw(command.text)
    office = caller.uow.office
    found = load_replies(office.rules.canned_replies_path).get(command.canned)
    if found is None:
        caller.reply(_("That ready answer is no longer in the office's list; nothing was sent. "
                       "Please tap Reply again and write the answer."))
        return None
    return answer_text(office, found.text)
