"""Staff controls that answer: /help in every bound group, the dispatcher's "My jobs", and an
Accept tapped by someone who is staff but not a technician.

The staff groups were bound in English; 刘调度 the dispatcher reads English.
"""

from __future__ import annotations

import pytest

from handlers.office import Office
from tests.support.estate import DISPATCH, ON_DUTY, PLUMBERS, Estate, build_estate
from tests.support.orders import open_order, order_row

UNBOUND = -1999


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def test_help_answers_in_each_bound_group_with_what_that_group_is_for(estate: Estate) -> None:
    liu, desk = estate.dispatcher, estate.desk
    for chat, needle in ((PLUMBERS, "Accept"), (DISPATCH, "assigns"), (ON_DUTY, "5 minutes")):
        before = len(desk.messages(chat))
        liu.command("help", chat_id=chat)
        assert len(desk.messages(chat)) == before + 1 and needle in desk.last(chat).text
    liu.command("help", chat_id=UNBOUND)
    assert desk.messages(UNBOUND) == []  # a group that is not bound gets nothing


def test_the_dispatchers_my_jobs_lists_the_jobs_waiting_for_a_technician(
        estate: Estate, office: Office) -> None:
    liu = estate.dispatcher
    waiting = order_row(office, open_order(office, estate.neighbour)).number
    taken = order_row(office, open_order(office, estate.neighbour, status="accepted",
                                         assignee=estate.plumber)).number
    liu.command("menu")
    liu.taps("My jobs")
    assert waiting in liu.last and taken not in liu.last


def test_a_dispatcher_tapping_accept_is_pointed_to_assigning_not_to_binding(
        estate: Estate, office: Office) -> None:
    estate.neighbour.command("menu")
    estate.neighbour.taps("Report a repair")
    for step in ("The kitchen tap keeps dripping", "Yes", "No photos", "Tomorrow morning",
                 "Use", "Submit"):
        estate.neighbour.says(step) if step.startswith("The") else estate.neighbour.taps(step)
    tapped = estate.dispatcher.taps("Accept", chat_id=PLUMBERS)
    toast = estate.dispatcher.toast_for(tapped)
    assert "assign" in toast and "staff code" not in toast
