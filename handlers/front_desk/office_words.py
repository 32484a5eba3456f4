"""The office's own facts — its opening hours, its hotline — filled into the texts it wrote
itself (FAQ answers, ready answers), in each reader's language; and the words residents say
to thank the desk, which ask nothing of it, and those that say a complaint goes on."""

from __future__ import annotations

import re
from typing import Final

from handlers.office import Office
from locales import Language, Localized, listed

WEEKDAY_NAMES: Final[dict[Language, dict[str, str]]] = {
    "zh_Hans": dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"], strict=True)),
    "zh_Hant": dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                        ["週一", "週二", "週三", "週四", "週五", "週六", "週日"], strict=True)),
    "en": dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                   ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], strict=True)),
}

# A message made only of these is thanks or "got it", in any of the office's languages.
THANKS: Final = re.compile(
    r"(?:谢谢|謝謝|多谢|多謝|感谢|感謝|唔该|唔該|麻烦了|麻煩了|辛苦了?|好的|好滴|好|行|嗯|收到|明白了?|"
    r"知道了|了解|懂了|没问题|沒問題|ok|okay|thanks|thank you|thx|ty|got it|noted|great|"
    r"cheers|很好|太好了|您|你|啦|了|啊|呀|哈|的|[\s,，.。!！~～…:：)）😊🙏👍❤️]"
    r")+", re.IGNORECASE)


def is_thanks(text: str) -> bool:
    """Whether *text* only thanks the desk (or says it has understood)."""
    return THANKS.fullmatch(text.strip()) is not None


# Words that tell of a complaint going on, not of a new one ("又有", "还是没人管", "到底管不管").
FOLLOW_UP: Final = re.compile(
    r"又|还是|還是|还没|還沒|还有|還有|仍然|依然|再次|到底|管不管|怎么还|怎麼還|没人|沒人|"
    r"\b(?:again|still|yet|nobody|no one|anyone)\b", re.IGNORECASE)


def follows_up(text: str) -> bool:
    """Whether *text* speaks of something that goes on (again, still, nobody came)."""
    return FOLLOW_UP.search(text) is not None


def office_hours_text(office: Office) -> dict[str, str]:
    """The office's opening hours as each language writes them, from its calendar."""
    runs = office.hours.weekly_hours()
    shown: dict[str, str] = {}
    for language, names in WEEKDAY_NAMES.items():
        dash = "至" if language != "en" else "–"
        parts = [(names[days[0]] + (dash + names[days[-1]] if len(days) > 1 else "")
                  + " " + listed(hours, language)) for days, hours in runs]
        shown[language] = ("；" if language != "en" else "; ").join(parts)
    return shown


def answer_text(office: Office, answer: Localized) -> Localized:
    """The answer with the office's own hours and hotline filled in."""
    hours = office_hours_text(office)
    return Localized({lang: text.replace("{office_hours}", hours.get(lang, ""))
                      .replace("{hotline}", office.rules.hotline)
                      for lang, text in answer.values.items()})
