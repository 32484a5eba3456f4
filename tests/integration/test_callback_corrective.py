"""A weak answer to a low score, made strong (issue 15, item 8): the corrective task says whom to
call and what the order was, closes only with a note and everywhere at once, and a callback
comment that says the fault persists reopens the order as rework.

Li (English) is the resident; the dispatcher reads English; the plumber 张师傅 reads Chinese.
"""

from __future__ import annotations

import pytest

from dialogs.buttons import Verb, tap
from handlers.monthly_report.report import build
from handlers.office import Office
from handlers.office.clock import FakeClock
from tests.integration.test_guards import planted_question
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS, Estate, build_estate
from tests.support.orders import events, order_row, survey_row, surveyed


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def _order_of(office: Office, survey_id: int) -> int:
    return survey_row(office, survey_id).order_id


def _rated_with(estate: Estate, office: Office, clock: FakeClock, rating: int,
                comment: str) -> int:
    """Li's surveyed job, rated *rating* with *comment*; the survey's id."""
    survey_id = surveyed(office, clock, estate.neighbour, estate.plumber)
    estate.neighbour.taps(str(rating))
    estate.neighbour.says(comment)
    return survey_id


def test_one_star_with_still_leaking_reopens_the_order_for_the_same_plumber(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    survey_id = surveyed(office, clock, li, estate.plumber)
    order = order_row(office, _order_of(office, survey_id))
    li.taps("1")
    for chat in (MANAGERS, DISPATCH):
        card = desk.last(chat).text
        # Whom to call and what the order was, on the card itself.
        for shown in ("Unit 3-1203", "Li Lei", "tel. 13800000002", order.number, "Plumbing",
                      "technician: 张师傅", "Reported: kitchen tap drips", "rated 1/5"):
            assert shown in card, (shown, card)
        assert [label for label, _ in desk.last(chat).buttons] == ["✍ Write the outcome"]
    li.says("Thanks, but the ceiling is still leaking")
    reopened = order_row(office, order.id or 0)
    assert (reopened.status, reopened.rework_count) == ("rework", 1)
    assert events(office, "rework_requested")[-1].detail == {
        "reason": "Thanks, but the ceiling is still leaking", "round": 1, "source": "callback"}
    assert "reopened and goes back to 张师傅" in li.last
    plumber_chat = desk.texts(estate.plumber.user_id)
    assert any("已重新开启" in text and "the ceiling is still leaking" in text
               for text in plumber_chat)
    assert desk.last(estate.plumber.user_id).buttons, "the rework card comes with its buttons"
    assert "Reopened after the callback" in desk.last(PLUMBERS).text
    for chat in (MANAGERS, DISPATCH):
        assert "still leaking" in desk.last(chat).text
        assert "reopened as rework" in desk.last(chat).text


def test_a_comment_that_does_not_say_the_fault_persists_reopens_nothing(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    survey_id = _rated_with(estate, office, clock, 2,
                            "The plumber came late and left a mess, but it no longer leaks")
    assert order_row(office, _order_of(office, survey_id)).status == "confirmed"
    assert "passed on" in estate.neighbour.last
    assert "reopened" not in estate.desk.last(DISPATCH).text


def test_a_high_rating_that_says_it_broke_again_still_reopens_and_tells_dispatch(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("4")
    li.says("nice guy, but it broke again this morning")
    assert order_row(office, _order_of(office, survey_id)).status == "rework"
    assert "reopened as rework" in estate.desk.last(DISPATCH).text


def test_the_corrective_task_closes_only_with_a_note_and_every_copy_shows_it(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("1")
    li.taps("Skip")
    dispatcher.taps("Write the outcome", chat_id=DISPATCH)
    assert "What was done to put" in desk.last(dispatcher.user_id).text
    dispatcher.says("ok")
    assert "“ok” says nothing on its own" in desk.last(dispatcher.user_id).text  # asked again
    assert survey_row(office, survey_id).corrected_at is None
    dispatcher.says("Phoned Li; 张师傅 resealed the joint, dry now")
    row = survey_row(office, survey_id)
    assert row.corrected_at is not None and row.correction_note == (
        "Phoned Li; 张师傅 resealed the joint, dry now")
    for chat in (DISPATCH, MANAGERS):
        card = next(m for m in desk.messages(chat) if "Corrective action needed" in m.text)
        assert "✔ Closed by 刘调度 at" in card.text and "resealed the joint" in card.text
        assert card.buttons == [] and card.edits == 1
    assert "closed with your note" in desk.last(dispatcher.user_id).text
    asked = [m for m in desk.messages(dispatcher.user_id) if "What was done to put" in m.text]
    assert len(asked) == 1 and not any(m.buttons for m in asked)  # answered: no Cancel left
    again = dispatcher.presses(tap(Verb.CORRECTED, survey_id), chat_id=MANAGERS)
    assert dispatcher.toast_for(again) == "Already closed."


def test_only_staff_may_close_a_corrective_task(estate: Estate, office: Office,
                                                clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("1")
    pressed = li.presses(tap(Verb.CORRECTED, survey_id), chat_id=DISPATCH)
    assert li.toast_for(pressed)
    assert survey_row(office, survey_id).corrected_at is None
    assert "What was done" not in li.last


def test_the_technician_does_not_close_the_task_about_his_own_job(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, zhang, zhao = estate.neighbour, estate.plumber, estate.plumber2
    survey_id = surveyed(office, clock, li, zhang)
    li.taps("1")
    li.taps("Skip")
    pressed = zhang.presses(tap(Verb.CORRECTED, survey_id), chat_id=DISPATCH)
    assert "本人做的工单" in zhang.toast_for(pressed)  # "… was your own job"
    assert not any("What was done" in m.text for m in zhang.chat)
    planted_question(office, zhang, "corrective_outcome", survey_id)  # asked before the rule
    zhang.says("Resealed it, all fine")
    assert "本人做的工单" in zhang.last
    assert survey_row(office, survey_id).corrected_at is None
    assert estate.desk.last(DISPATCH).buttons
    zhao.presses(tap(Verb.CORRECTED, survey_id), chat_id=DISPATCH)  # a colleague may
    zhao.says("Checked 张师傅's seal with Li: dry now")
    assert survey_row(office, survey_id).corrected_by is not None


def test_a_planted_note_from_a_resident_closes_nothing(estate: Estate, office: Office,
                                                       clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("1")
    li.taps("Skip")
    planted_question(office, li, "corrective_outcome", survey_id)
    li.says("All sorted, close it")
    assert survey_row(office, survey_id).corrected_at is None
    assert "Corrective action needed" in estate.desk.last(DISPATCH).text
    assert estate.desk.last(DISPATCH).buttons


def test_a_low_rating_whose_comment_reopens_the_order_is_one_remark_in_the_report(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    survey_id = _rated_with(estate, office, clock, 1, "Thanks, but the ceiling is still leaking")
    assert order_row(office, _order_of(office, survey_id)).status == "rework"
    report = build(office, 202611)
    # One resident, one comment: the survey's words and the rework's reason are the same
    # remark, not two in the causes of dissatisfaction.
    overall = next(g for g in report.causes if g.dimension == "overall")
    assert overall.remarks == 1
    assert (report.month.reworked, report.month.dissatisfied) == (1, 1)
