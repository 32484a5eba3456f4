"""The one-tap danger question, as the phone shows it: a message that might be an emergency
pauses whatever the person was doing, and one tap decides — the emergency path, or back to what
was paused with the same words. The last tests check ``dialogs/danger_check.mmd``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import danger_check
from dialogs.model import Conversation, DialogContext, Outcome, ReportEmergency, ResumeWith
from locales import Language
from tests.support import diagrams
from tests.support.transcripts import Chat, Line, Move, Opening, Transcript, actions, play, wander

DIAGRAM: Final = Path(danger_check.__file__).with_name("danger_check.mmd")
SMELL: Final = "楼道里有股怪味"


def person(language: Language = "zh_Hans") -> DialogContext:
    return DialogContext(chat_id=501, language=language)


def uncertain(text: str = SMELL, trade: str | None = "gas", paused: Conversation | None = None
              ) -> Opening:
    """The reception found *text* might be an emergency (triage read *trade*) and asks."""
    def opening(context: DialogContext, nonce: str) -> Outcome:
        return danger_check.ask(context, nonce, text, trade, "public", paused)
    return opening


ASK = ("bot", "现在是否有人处于危险中，或者有东西在燃烧、漏燃气或被水淹？",
       ["🚨 是，现在", "不是"])
TAP_PLEASE = ("bot", "请点击上方的“是，现在”或“不是”。")
REPORTING = Conversation("repair", "photos", {"nonce": "n0900", "photos": []})

TRANSCRIPTS: Final = {
    "a strange smell in the corridor: yes, now": Transcript(person(), [
        ASK,
        ("sends", "什么意思？"),
        TAP_PLEASE,
        ("sends sticker",),
        TAP_PLEASE,
        ("taps", "🚨 是，现在"),
        ("done", ReportEmergency(text=SMELL, hazard="gas", trade="gas", location="public")),
    ], opening=uncertain()),
    "asked in the middle of a repair report: no, and the report goes on": Transcript(person(), [
        ASK,
        ("taps", "不是"),
        ("done", ResumeWith(SMELL)),
        ("back to", "repair: photos"),
    ], opening=uncertain(paused=REPORTING)),
    "a button from an earlier question does nothing": Transcript(person(), [
        ASK,
        ("taps", "不是"),
        ("done", ResumeWith(SMELL)),
        ("starts again",),
        ASK,
        ("taps an old button", "🚨 是，现在"),
        TAP_PLEASE,
        ("taps forged", "v1:dialog:n0001:yes"),
        TAP_PLEASE,
        ("taps", "不是"),
        ("done", ResumeWith(SMELL)),
    ], opening=uncertain()),
    "in English, about water on the floor: yes": Transcript(person("en"), [
        ("bot", "Is anyone in danger, or is something burning, leaking gas or flooding now?",
         ["🚨 Yes, now", "No"]),
        ("sends", "??"),
        ("bot", "Please tap Yes or No above."),
        ("taps", "🚨 Yes, now"),
        ("done", ReportEmergency(text="water all over the floor", hazard="flood",
                                 trade="plumbing", location="public")),
    ], opening=uncertain("water all over the floor", "plumbing")),
    "in traditional Chinese": Transcript(person("zh_Hant"), [
        ("bot", "現在是否有人處於危險中，或者有東西在燃燒、漏燃氣或被水淹？",
         ["🚨 是，現在", "不是"]),
        ("taps", "不是"),
        ("done", ResumeWith("走廊有陣怪味")),
    ], opening=uncertain("走廊有陣怪味")),
}


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript(name: str) -> None:
    transcript = TRANSCRIPTS[name]
    assert play(danger_check.step, transcript) == list(transcript.lines)


@pytest.mark.parametrize(("trade", "hazard"), [
    ("gas", "gas"), ("lift", "lift"), ("electrical", "sparks"), ("plumbing", "flood"),
    ("civil", "flood"), ("security", "fire"), ("greenery", "fire"), (None, "fire")])
def test_yes_names_the_hazard_the_trade_most_likely_means(trade: str | None, hazard: str
                                                          ) -> None:
    said = play(danger_check.step, Transcript(person(), [("taps", "🚨 是，现在")],
                                              opening=uncertain(trade=trade)))
    command = said[-1][1]
    assert isinstance(command, ReportEmergency) and command.hazard == hazard


# -- the diagram -------------------------------------------------------------------------
def _name(step: str) -> str:
    return danger_check.Step(step).name


def test_danger_check_mmd_draws_exactly_the_dialogs_steps() -> None:
    assert diagrams.read(DIAGRAM).states == {step.name for step in danger_check.Step}


def test_every_move_in_the_transcripts_is_an_arrow_of_danger_check_mmd() -> None:
    moves: list[Move] = []
    for transcript in TRANSCRIPTS.values():
        play(danger_check.step, transcript, moves)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), moves, _name) == set()


@settings(max_examples=100, deadline=None)
@given(paused=st.sampled_from((None, REPORTING)), lines=actions(("ok", "煤气味", ""), 8))
def test_whatever_is_sent_the_question_follows_an_arrow(paused: Conversation | None,
                                                        lines: list[Line]) -> None:
    chat = Chat(danger_check.step, person(), uncertain(paused=paused))
    wander(chat, lines)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), chat.moves, _name) == set()
