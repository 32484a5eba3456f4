"""The office's FAQ at the desk: a question is answered from it when one entry matches well
enough, with "Did this answer it? Yes / No, ask the desk"; "No" (or no match) goes to the
desk with a promised answer time (001 第四篇 2(1)(2)). Every answer given is kept
(``faq_question``), so the office sees what its FAQ misses."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml
from sqlmodel import col, select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, inline
from dialogs.faq import FaqEntry, FaqIndex, Match, phrase
from dialogs.model import ToFrontDesk
from handlers.front_desk.inbox import take_in
from handlers.front_desk.office_words import answer_text, is_thanks
from handlers.office import Office
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from locales import LANGUAGES, Localized, Text, _, lines
from storage.complaints import FaqQuestion
from storage.models import FrontDeskRequest

DEFAULT_PATH: Final = Path(__file__).parent / "data" / "faq.yaml"


def _words(data: Any, source: str, what: str) -> tuple[str, ...]:
    """Words in each language (``{zh_Hans: [...], zh_Hant: [...], en: [...]}``), each of which
    must say something a question can name."""
    if data is None:
        return ()
    if not isinstance(data, Mapping) or not all(isinstance(v, list | None)
                                                for v in data.values()):
        raise ValueError(f"{source}: {what} must list words by language")
    found = tuple(str(w) for lang in LANGUAGES for w in data.get(lang) or [])
    empty = [w for w in found if not phrase(w)]
    if empty:
        raise ValueError(f"{source}: {what}: {', '.join(empty)} says nothing a question names")
    return found


def _file(data: Any, source: str) -> tuple[Any, tuple[str, ...]]:
    """The entries and the places outside the estate: the file is a list of entries, or a
    mapping with ``entries`` and ``outside_the_estate``."""
    if isinstance(data, Mapping):
        return data.get("entries"), _words(data.get("outside_the_estate"), source,
                                           "outside_the_estate")
    return data, ()


def parse_outside(data: Any, source: str = "faq") -> tuple[str, ...]:
    """The places and services outside the estate the office's FAQ file names: a question
    naming one goes to the desk."""
    return _file(data, source)[1]


def parse_faq(data: Any, source: str = "faq") -> list[FaqEntry]:
    """The entries of the office's FAQ file; raises ValueError naming what is wrong."""
    data, _outside = _file(data, source)
    if not isinstance(data, list):
        raise ValueError(f"{source}: the FAQ must be a list of entries")
    if not data:
        raise ValueError(f"{source}: the FAQ has no entries")
    entries: list[FaqEntry] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise ValueError(f"{source}: entry {number} needs a key")
        questions, answer = item.get("questions"), item.get("answer")
        if not isinstance(questions, Mapping) or not isinstance(answer, Mapping):
            raise ValueError(f"{source}: {item['key']} needs questions and an answer")
        missing = [lang for lang in LANGUAGES if not str(answer.get(lang) or "").strip()]
        if missing:
            raise ValueError(f"{source}: {item['key']} has no answer in {', '.join(missing)}")
        variants = tuple(str(q) for lang in LANGUAGES for q in questions.get(lang) or [])
        if not variants:
            raise ValueError(f"{source}: {item['key']} has no question variants")
        entries.append(FaqEntry(item["key"], variants,
                                Localized({lang: str(answer[lang]) for lang in LANGUAGES}),
                                _words(item.get("topics"), source, f"{item['key']} topics")))
    if len({e.key for e in entries}) != len(entries):
        raise ValueError(f"{source}: two entries share a key")
    return entries


_indexing = threading.Lock()


def load_faq(path: Path | None = None) -> FaqIndex:
    """The office's FAQ (default: the shipped one), indexed once per process. Indexed under a
    lock, so a question that comes while the start-up warm-up indexes it waits for that
    instead of indexing it again."""
    with _indexing:
        return _indexed(path)


@cache
def _indexed(path: Path | None) -> FaqIndex:
    source = path or DEFAULT_PATH
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return FaqIndex.build(parse_faq(data, str(source)), parse_outside(data, str(source)))


def find(office: Office, text: str) -> Match | None:
    """The FAQ entry that answers *text*, if any matches well enough."""
    return load_faq(office.rules.faq_path).match(text, office.rules.faq_min_score)


def answer(caller: Caller, text: str, found: Match, kind: str = "enquiry") -> None:
    """Answer from the FAQ and ask whether it helped."""
    office = caller.uow.office
    entry = load_faq(office.rules.faq_path).entries[found.key]
    ask_if_answered(caller, text, found.key, found.score, answer_text(office, entry.answer),
                    kind)


def ask_if_answered(caller: Caller, text: str, key: str, score: float,
                    body: Text | None, kind: str = "enquiry") -> None:
    """Keep the question, send *body* (if any) and "Did this answer it? Yes / No, ask the
    desk"."""
    question = FaqQuestion(person_id=caller.person.id if caller.person else None,
                           chat_id=caller.chat_id, text=text, kind=kind, faq_key=key,
                           score=round(score, 3), created_at=caller.now)
    caller.session.add(question)
    caller.session.flush()
    caller.log("faq_answered", faq=key, score=round(score, 3), question_id=question.id)
    caller.reply(lines(body, _("Did this answer it?")), inline(
        [Button(_("👍 Yes"), tap(Verb.FAQ_FEEDBACK, question.id, "yes")),
         Button(_("No, ask the desk"), tap(Verb.FAQ_FEEDBACK, question.id, "no"))]))


def feedback(caller: Caller, question_id: int, helpful: str) -> None:
    """Yes: noted. No: the question goes to the desk with the promised answer time."""
    question = caller.session.get(FaqQuestion, question_id)
    if (question is None or helpful not in ("yes", "no") or question.helpful is not None
            or question.chat_id != caller.chat_id):
        caller.refuse(OUT_OF_DATE)
        return
    question.helpful = helpful == "yes"
    caller.session.add(question)
    caller.log("faq_feedback", faq=question.faq_key, helpful=question.helpful,
               question_id=question.id)
    if question.helpful:
        caller.toast(_("Thank you!"))
        return
    caller.toast()
    question.request_id = take_in(caller, ToFrontDesk(question.kind, question.text))


def not_answered(caller: Caller, text: str) -> bool:
    """Words that read as no new question ("还是不明白"), written while the FAQ's answer in
    this chat still waits for Yes / No, say No: the question goes to the desk with the
    promised answer time, as "No, ask the desk" sends it. Thanks are no No. True if it went
    to the desk."""
    if is_thanks(text):
        return False
    question = caller.session.exec(select(FaqQuestion).where(
        FaqQuestion.chat_id == caller.chat_id,
        col(FaqQuestion.created_at) >= caller.now - caller.uow.office.rules.desk_follow_up
    ).order_by(col(FaqQuestion.id).desc())).first()
    if (question is None or question.helpful is not None or question.request_id is not None
            or caller.session.exec(select(FrontDeskRequest.id).where(  # moved on since
                FrontDeskRequest.chat_id == caller.chat_id,
                col(FrontDeskRequest.created_at) >= question.created_at)).first() is not None):
        return False
    question.helpful = False
    caller.session.add(question)
    caller.log("faq_feedback", faq=question.faq_key, helpful=False, question_id=question.id,
               words=text)
    question.request_id = take_in(caller, ToFrontDesk(question.kind, question.text,
                                                      faq_question_id=question.id))
    return True
