"""Message catalogs: every user-facing string goes through here.

Code marks text with ``_("msgid", **params)``, which builds a :class:`Msg` — a value, not a
string — so the same reply can be rendered in the recipient's language at the moment it is
addressed (a resident's report becomes a Chinese card in the plumbers' group and an English
acknowledgement for the resident). Catalogs are the ``.po`` files beside this module; they are
compiled in memory with Babel on first use, so there is no build step and no binary in git.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final, Literal, TypeAlias, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Language: TypeAlias = Literal["zh_Hans", "zh_Hant", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "zh_Hans"
CATALOG_DIR: Final = Path(__file__).parent
DOMAIN: Final = "frontline"


@dataclass(frozen=True, slots=True)
class Msg:
    """A translatable message with named parameters, rendered per recipient."""

    msgid: str
    params: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Raw:
    """Text that is never translated: what a user wrote, a phone number, an order number."""

    value: str


@dataclass(frozen=True, slots=True)
class Localized:
    """Text the office wrote in each language itself (e.g. catalog names), picked per reader."""

    values: Mapping[str, str]


# A piece of text: a message, raw user text, or lines joined by newlines.
Text: TypeAlias = Msg | Raw | Localized | str | int | Sequence["Text"]


def _(msgid: str, **params: Text) -> Msg:
    """Mark *msgid* for translation (Babel extracts calls to ``_``)."""
    return Msg(msgid, params)


def lines(*parts: Text | None) -> tuple[Text, ...]:
    """Join the non-empty parts one per line."""
    return tuple(p for p in parts if p is not None and p != "")


# How each language writes a list of items: "08:30–12:00, 13:30–17:30" / "…12:00，13:30…".
LIST_SEPARATORS: Final[Mapping[Language, str]] = {"zh_Hans": "，", "zh_Hant": "，", "en": ", "}


def listed(items: Iterable[str], language: Language) -> str:
    """*items* joined as *language* writes a list (", " in English, "，" in Chinese)."""
    return LIST_SEPARATORS[language].join(items)


def language_from_code(code: str | None) -> Language:
    """Pick our language from Telegram's ``language_code`` (IETF tag)."""
    if not code:
        return DEFAULT_LANGUAGE
    tag = code.lower().replace("_", "-")
    if tag.startswith("zh"):
        traditional = ("hant", "tw", "hk", "mo")
        return "zh_Hant" if any(t in tag for t in traditional) else "zh_Hans"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def parse_language(value: str | None) -> Language | None:
    """Return *value* if it names one of our languages, else None."""
    return value if value in LANGUAGES else None


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """Compile the language's ``.po`` catalog in memory, once per process."""
    po_path = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.replace("_Hans", "").replace("_Hant", ""))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def render(text: Text, language: Language) -> str:
    """Render *text* in *language*; parameters that are themselves messages are translated too."""
    if isinstance(text, Msg):
        template = translations(language).gettext(text.msgid)
        if not text.params:
            return template
        values = {key: render(value, language) for key, value in text.params.items()}
        return template.format(**values)
    if isinstance(text, Raw):
        return text.value
    if isinstance(text, Localized):
        return text.values.get(language) or text.values.get(DEFAULT_LANGUAGE, "")
    if isinstance(text, str):
        return text
    if isinstance(text, int):
        return str(text)
    return "\n".join(render(part, language) for part in text)
