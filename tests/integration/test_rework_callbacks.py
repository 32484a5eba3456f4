"""A callback after every completed job (001 第四篇 2(3)④), rework included: Li's callback says
the tap still leaks, the order is reopened, 张师傅 goes back and finishes it, Li signs again —
and she is called back about the rework too, once, at its own moment.

Li (English) is the resident; 张师傅 (Chinese) the plumber; the staff groups read English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from dialogs.survey import FACES
from handlers.office import Office
from handlers.office.clock import FakeClock
from storage.followups import CallbackSurvey
from tests.support.estate import DISPATCH, Estate, build_estate
from tests.support.orders import due, events, order_row, phoned, survey_row, surveyed
from tests.support.repairs import finish_job


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def surveys_of(office: Office, order_id: int) -> list[CallbackSurvey]:
    with Session(office.engine) as session:
        return list(session.exec(select(CallbackSurvey).where(CallbackSurvey.order_id == order_id)
                                 .order_by(col(CallbackSurvey.id))).all())


def survey_questions(estate: Estate) -> list[str]:
    return [m.text for m in estate.neighbour.chat if m.text.startswith("📋 Callback for")]


def reopened(estate: Estate, office: Office, survey_id: int) -> int:
    """Li rates 1 and says the tap still leaks: the order is reopened; its id."""
    order_id = survey_row(office, survey_id).order_id
    estate.neighbour.taps("1")
    estate.neighbour.says("Thanks, but the tap is still leaking")
    assert order_row(office, order_id).status == "rework"
    return order_id


def test_a_reopened_order_gets_a_second_callback_after_the_rework_is_signed(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = reopened(estate, office, surveyed(office, clock, li, estate.plumber))
    finish_job(estate, "又换了密封圈")
    _, signature = estate.desk.find_button(li.user_id, "Confirm (sign)")
    li.presses(signature)
    assert order_row(office, order_id).status == "confirmed"
    # The rework's callback is planned beside the first one, which stays answered.
    assert [(s.visit, s.state) for s in surveys_of(office, order_id)] == [
        (0, "done"), (1, "scheduled")]
    assert [e.detail["visit"] for e in events(office, "survey_scheduled")] == [0, 1]
    asked = len(survey_questions(estate))
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:sent"] == 1
    assert len(survey_questions(estate)) == asked + 1 == 2
    assert order_row(office, order_id).number in survey_questions(estate)[-1]
    assert [label for label, _ in li.chat[-1].buttons][:1] == ["1 " + FACES[1]]
    # Nothing twice: a later pass, or the signature replayed, plans and sends nothing.
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:sent"] == 0
    li.presses(signature)
    assert len(surveys_of(office, order_id)) == 2
    assert len(survey_questions(estate)) == 2


def test_a_late_comment_that_reopens_the_order_closes_the_first_callbacks_phone_task(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    first = phoned(office, clock, estate.neighbour, estate.plumber)
    order_id = reopened(estate, office, first)
    assert survey_row(office, first).state == "reworked"
    card = next(m for m in reversed(estate.desk.messages(DISPATCH))
                if order_row(office, order_id).number in m.text and "Callback" in m.text)
    assert "reopened as rework" in card.text and not card.buttons
