"""A resident linked to two homes asks the front desk something: the question is filed under
the home it names, or the resident is asked which home — never silently the first one."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from handlers.office.people import unit_label
from storage.complaints import Complaint, FaqQuestion
from storage.models import FrontDeskRequest, Household
from tests.support.complaints import build_chain, complain
from tests.support.estate import DISPATCH, Estate, build_estate, code_of


@pytest.fixture
def estate(office: Office) -> Estate:
    estate = build_estate(office, staff_language="en")
    estate.neighbour.command("start", code_of(office, "5", "0101"))  # Li's second home
    return estate


def filed_under(office: Office) -> str | None:
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
        household = (session.get(Household, request.household_id) if request.household_id
                     else None)
        return unit_label(household) if household else None


def test_a_question_that_names_the_second_home_is_filed_under_it(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.says("When will the water be back on at 5-0101?")
    li.taps("No, ask the desk")
    assert "FD-1" in li.last
    assert filed_under(office) == "5-0101"
    assert "Li Lei 5-0101" in estate.desk.last(DISPATCH).text


def test_a_question_that_names_no_home_asks_which_home_it_is_about(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.says("When will the water be back on?")
    li.taps("No, ask the desk")
    asked = li.chat[-1]
    assert "Which of your homes" in asked.text, asked.text
    assert [label for label, _ in asked.buttons][:2] == ["3-1203", "5-0101"]
    li.taps("5-0101")
    assert "FD-1" in li.last
    assert filed_under(office) == "5-0101"
    assert "Li Lei 5-0101" in estate.desk.last(DISPATCH).text


def test_the_faq_question_keeps_its_link_to_the_request_filed_after_which_home(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.says("When will the water be back on?")
    li.taps("No, ask the desk")
    li.taps("5-0101")
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
        question = session.exec(select(FaqQuestion)).one()
        assert question.request_id == request.id


def complained_for(office: Office) -> str | None:
    with Session(office.engine) as session:
        complaint = session.exec(select(Complaint)).one()
        household = (session.get(Household, complaint.household_id)
                     if complaint.household_id else None)
        return unit_label(household) if household else None


@pytest.mark.parametrize(("text", "home"), [
    ("The guard at gate 2 shouted at my children", None),
    ("The cleaners left rubbish outside 5-0101 for a week", "5-0101"),
])
def test_a_complaint_skipping_where_is_not_filed_under_an_arbitrary_home(
        estate: Estate, office: Office, text: str, home: str | None) -> None:
    build_chain(office, estate)
    complain(estate.neighbour, text)
    assert "recorded" in estate.neighbour.last
    assert complained_for(office) == home
