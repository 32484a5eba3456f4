"""Making a complaint, as the resident's phone shows it, word for word; the typed dates and
the damage still happening; and ``dialogs/complaint.mmd`` drawing every move."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings

from dialogs import complaint
from dialogs.model import DialogContext, Outcome, ReportOngoingDamage, SubmitComplaint, Unit
from tests.support import diagrams
from tests.support.transcripts import Chat, Move, Transcript, actions, play, wander

DIAGRAM: Final = Path(complaint.__file__).with_name("complaint.mmd")
MENU: Final = {"complain": complaint.start}
CANCEL: Final = "✖ Cancel"


def resident(language: str = "en") -> DialogContext:
    return DialogContext(chat_id=501, language=language,  # type: ignore[arg-type]
                         units=(Unit(7, "3-1202"),), roster_phone="13800138000")


def wrote(text: str):  # type: ignore[no-untyped-def]
    def opening(context: DialogContext, nonce: str) -> Outcome:
        return complaint.start_described(context, nonce, text, "minor")
    return opening


WHEN = ("bot", "When did it happen? Tap one, or type the date and time.",
        ["Just now", "Today", "Yesterday", "It keeps happening", "Skip", CANCEL])
WHERE = ("bot", "Where did it happen? Tap your home, or type the place (for example: the car "
                "park of building 3).", ["🏠 At home (3-1202)", "Skip", CANCEL])
WHO = ("bot", "Who or which department is it about? Tap one, or type a name.",
       ["Customer service (front desk)", "Maintenance", "Security guards", "Cleaning",
        "Greenery", "Parking", "The management office", "A neighbour", "Skip", CANCEL])
WANTS = ("bot", "What would you like us to do? Tap one, or tell us in your words.",
         ["Put it right", "An apology", "An explanation", "Compensation",
          "Just letting you know", "Skip", CANCEL])
DEADLINE = ("bot", "Do you need it resolved by a certain date? Tap one, or type a date (for "
                   "example 12-05).",
            ["Today", "Tomorrow", "Within 3 days", "Within a week", "No particular date", CANCEL])
PHOTOS = ("bot", "Send photos if you have them (several are fine), then tap the button.",
          ["No photos", CANCEL])
THANKS = ("bot", "We are sorry about this, and thank you for telling us. A few short questions "
                 "so that the right person can put it right; tap Skip for any you would rather "
                 "not answer.")

TRANSCRIPTS: Final = {
    "from the menu, every step answered": Transcript(resident(), [
        ("taps", "📣 Complain"),
        ("bot", "We are sorry something went wrong. Please tell us what happened, in your "
                "own words.", [CANCEL]),
        ("sends", "The guard at gate 2 shouted at my daughter"),
        WHEN, ("taps", "Yesterday"),
        WHERE, ("sends", "Gate 2"),
        WHO, ("taps", "Security guards"),
        WANTS, ("taps", "An apology"),
        DEADLINE, ("sends", "12-05"),
        PHOTOS, ("sends photo", ""),
        ("bot", PHOTOS[1], ["Done with photos", CANCEL]),
        ("taps", "Done with photos"),
        ("bot", "Please check your complaint:\nWhat happened: The guard at gate 2 shouted at "
                "my daughter\nWhen: Yesterday\nWhere: Gate 2\nAbout: Security guards\nYou "
                "would like: An apology\nResolved by: 12-05\nPhotos: 1",
         ["📨 Submit", CANCEL]),
        ("taps", "📨 Submit"),
        ("done", SubmitComplaint(
            what="The guard at gate 2 shouted at my daughter", occurred="@yesterday",
            household_id=None, place="Gate 2", department="security", about="",
            wants="@apology", deadline="M:12-05", photos=("photo-1",),
            suggested_severity="minor")),
    ], menu=MENU),
    "written in words, damage still happening, everything else skipped": Transcript(
        resident(), [
            THANKS,
            ("bot", "Is it still causing damage right now (for example water still coming in, "
                    "or an exit still blocked)?",
             ["🚨 Yes, send someone now", "No", CANCEL]),
            ("taps", "🚨 Yes, send someone now"),
            ("done", ReportOngoingDamage("Water keeps leaking from upstairs into my ceiling",
                                         "civil", "minor")),
        ], opening=wrote("Water keeps leaking from upstairs into my ceiling")),
    "at home, typed words, the resident's own date refused until it is a date": Transcript(
        resident(), [
            THANKS, WHEN,
            ("sends", "every night after 11pm"),
            WHERE, ("taps", "🏠 At home (3-1202)"),
            WHO, ("sends", "the neighbour in 3-1302"),
            WANTS, ("sends", "ask them to stop"),
            DEADLINE, ("sends", "soon please"),
            ("bot", "Please tap a button, or type a date such as 12-05."),
            ("sends", "2026-02-30"),
            ("bot", "Please tap a button, or type a date such as 12-05."),
            ("taps", "Within 3 days"),
            PHOTOS, ("taps", "No photos"),
            ("bot", "Please check your complaint:\nWhat happened: Loud music upstairs every "
                    "night\nWhen: every night after 11pm\nWhere: At home (3-1202)\nAbout: the "
                    "neighbour in 3-1302\nYou would like: ask them to stop\nResolved by: "
                    "Within 3 days\nPhotos: 0", ["📨 Submit", CANCEL]),
            ("taps", "📨 Submit"),
            ("done", SubmitComplaint(
                what="Loud music upstairs every night", occurred="every night after 11pm",
                household_id=7, place="", department="", about="the neighbour in 3-1302",
                wants="ask them to stop", deadline="in3", photos=(),
                suggested_severity="minor")),
        ], opening=wrote("Loud music upstairs every night")),
    "in simplified Chinese, cancelled": Transcript(resident("zh_Hans"), [
        ("taps", "📣 投诉"),
        ("bot", "很抱歉出了问题，请用您自己的话告诉我们发生了什么。", ["✖ 取消"]),
        ("sends sticker",),
        ("bot", "请用文字告诉我们发生了什么。"),
        ("taps", "✖ 取消"),
        ("bot", "已取消，未提交任何内容。"),
        ("done", None),
    ], menu=MENU),
}


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript(name: str) -> None:
    transcript = TRANSCRIPTS[name]
    assert play(complaint.step, transcript) == list(transcript.lines)


@pytest.mark.parametrize(("typed", "parsed"), [
    ("12-05", "M:12-05"), ("12月5日", "M:12-05"), ("2026-12-05", "D:2026-12-05"),
    ("2026年1月2日", "D:2026-01-02"), ("2/29", "M:02-29"), ("13-01", None), ("2026-02-30", None),
    ("tomorrow", None), ("", None),
])
def test_a_typed_date(typed: str, parsed: str | None) -> None:
    assert complaint.parse_date(typed) == parsed


@pytest.mark.parametrize(("text", "damage"), [
    ("楼上漏水一直滴到我家天花板", ("civil", "unit")),
    ("消防通道被堵住了，物业不管", ("security", "public")),
    ("停电一整天了没人处理", ("electrical", "unit")),
    ("Water is pouring in from the corridor", ("plumbing", "unit")),
    ("保安态度很差", None), ("The cleaner was rude", None),
])
def test_damage_still_happening(text: str, damage: tuple[str, str] | None) -> None:
    assert complaint.ongoing_damage(text) == damage


# -- the diagram ---------------------------------------------------------------------------
def test_complaint_mmd_draws_exactly_the_dialogs_steps() -> None:
    assert diagrams.read(DIAGRAM).states == {step.name for step in complaint.Step}


def test_every_move_in_the_transcripts_is_an_arrow_of_complaint_mmd() -> None:
    moves: list[Move] = []
    for transcript in TRANSCRIPTS.values():
        play(complaint.step, transcript, moves)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), moves, _name) == set()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(lines=actions(["The lift smelled of smoke yesterday", "12-05", "Gate 2", "漏水了"]))
def test_whatever_the_resident_does_the_dialog_follows_an_arrow(lines: list[tuple[str, ...]]
                                                                ) -> None:
    chat = Chat(complaint.step, resident(), complaint.start)
    wander(chat, lines)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), chat.moves, _name) == set()


def _name(step: str) -> str:
    return complaint.Step(step).name
