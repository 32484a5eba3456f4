"""A staff member who leaves is removed by the admin at the office computer: they stop acting
as staff at once (their taps are refused and change nothing), every job they hold goes back to
dispatch with assign-to buttons, its resident is told a new technician will be assigned, and
the removal is kept in the event log. Their past records keep their name."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli import app
from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.people import STAFF_ROLES
from handlers.registration import roster
from scheduler.agenda import agenda
from storage.models import EventLog, WorkOrder
from storage.models import Person as PersonRow
from tests.integration.test_orphan_jobs import report
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.orders import due, survey_row, surveyed
from tests.support.repairs import finish_job, report_tap_leak

runner = CliRunner()


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")  # the dispatcher reads English


def orders(office: Office) -> dict[str, WorkOrder]:
    with Session(office.engine) as session:
        return {o.number: o for o in session.exec(select(WorkOrder))}


def person_id(office: Office, user_id: int) -> int:
    with Session(office.engine) as session:
        person = session.exec(select(PersonRow).where(
            PersonRow.telegram_user_id == user_id)).one()
        assert person.id is not None
        return person.id


def zhang_holds_two_jobs(estate: Estate, office: Office) -> tuple[str, str]:
    """张师傅 accepts Wang's leak, then Li's, and is on his way to Li's."""
    zhang = estate.plumber
    first = report_tap_leak(estate)
    zhang.taps("Accept", chat_id=PLUMBERS)
    second = report(estate.neighbour, "The kitchen tap drips and will not close")
    zhang.taps("Accept", chat_id=PLUMBERS)
    zhang.presses(tap(Verb.SET_OFF, orders(office)[second].id))
    held = orders(office)
    assert held[first].status == "accepted" and held[second].status == "on_way"
    assert held[first].assignee_id == held[second].assignee_id == person_id(office, 201)
    return first, second


def test_a_removed_technicians_jobs_go_back_to_dispatch_and_his_taps_change_nothing(
        estate: Estate, office: Office) -> None:
    first, second = zhang_holds_two_jobs(estate, office)
    zhang, wang, li = estate.plumber, estate.resident, estate.neighbour
    zhang_id = person_id(office, 201)
    assert roster.staff_jobs(office, roster.find_staff(office, "张师傅")) == [first, second]
    assert roster.find_staff(office, "201") == zhang_id

    wang_before = len(wang.chat)
    handed = roster.remove_staff(office, zhang_id, by="office admin")

    assert handed == [first, second]
    now = orders(office)
    for number in (first, second):
        order = now[number]
        assert order.status == "open" and order.assignee_id is None, number
        offers = [m for m in estate.desk.messages(DISPATCH)
                  if number in m.text and any(data.startswith("v1:assign:") for _, data
                                              in m.buttons)]
        assert offers, f"{number} is not offered to dispatch with assign-to buttons"
        assert "张师傅" in offers[-1].text
        # Every technician who could take it is offered, and not the one removed.
        assert not any("张师傅" in label for label, _ in offers[-1].buttons)
    assert len(wang.chat) > wang_before and first in wang.last
    assert second in li.last and "new technician will be assigned" in li.last
    # His private cards have lost their buttons and say the job is no longer his.
    for number in (first, second):
        cards = [m for m in zhang.chat if m.text.startswith(number)]
        assert cards and cards[-1].buttons == []
    # Taps after the removal: refused politely, nothing changes.
    before = orders(office)
    for data in (tap(Verb.SET_OFF, now[first].id), tap(Verb.FINISH, now[second].id),
                 tap(Verb.PROPOSE_PRICE, now[second].id)):
        event = zhang.presses(data)
        assert zhang.toast_for(event), data
    event = zhang.presses(tap(Verb.ACCEPT, now[first].id), chat_id=PLUMBERS)
    assert zhang.toast_for(event)
    after = orders(office)
    assert {n: (o.status, o.assignee_id) for n, o in after.items()} == {
        n: (o.status, o.assignee_id) for n, o in before.items()}
    # Kept: who was removed, when, by whom, and which jobs went back; his name stays.
    with Session(office.engine) as session:
        removed = session.exec(select(EventLog).where(
            EventLog.action == "staff_removed")).one()
        person = session.get(PersonRow, zhang_id)
        handed_back = session.exec(select(EventLog).where(
            EventLog.action == "handed_back").order_by(col(EventLog.id))).all()
    assert removed.actor_id == zhang_id and removed.at is not None
    assert removed.detail["by"] == "office admin" and removed.detail["role"] == "technician"
    assert removed.detail["orders"] == [first, second]
    assert person is not None and person.name == "张师傅" and person.role not in STAFF_ROLES
    assert [e.detail["previous"] for e in handed_back] == ["张师傅", "张师傅"]
    # The dispatcher gives one to 赵师傅 with the buttons: it is his.
    estate.dispatcher.taps("赵师傅", chat_id=DISPATCH)
    assert orders(office)[second].assignee_id == person_id(office, 202)


def test_a_removed_dispatcher_cannot_use_the_desk_buttons(estate: Estate,
                                                          office: Office) -> None:
    number = report_tap_leak(estate)
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    liu = estate.dispatcher
    assert roster.remove_staff(office, person_id(office, 301), by="office admin") == []
    order = orders(office)[number]
    event = liu.presses(tap(Verb.DESK_TOOL, "reassign", order.id), chat_id=DISPATCH)
    assert liu.toast_for(event)
    event = liu.presses(tap(Verb.DESK_REASSIGN, order.id, person_id(office, 202)),
                        chat_id=DISPATCH)
    assert liu.toast_for(event)
    assert orders(office)[number].assignee_id == person_id(office, 201)


def test_removing_someone_who_is_not_staff_is_refused(estate: Estate, office: Office) -> None:
    with pytest.raises(ValueError, match="No staff member"):
        roster.find_staff(office, "王芳")  # a resident
    with pytest.raises(ValueError, match="No staff member"):
        roster.find_staff(office, "nobody")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, estate: Estate) -> Estate:
    """The CLI works on the estate's own database (the office fixture's)."""
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'frontline.db'}")
    monkeypatch.chdir(tmp_path)
    return estate


def test_the_admin_lists_the_staff_and_removes_a_technician_from_the_terminal(
        cli_env: Estate, office: Office) -> None:
    first, second = zhang_holds_two_jobs(cli_env, office)
    result = runner.invoke(app, ["staff", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert listed["张师傅"]["jobs"] == 2 and listed["张师傅"]["role"] == "technician"
    assert "王芳" not in listed and "刘调度" in listed
    # Asked first, with the jobs that will go back; "no" changes nothing.
    result = runner.invoke(app, ["staff", "remove", "张师傅"], input="n\n")
    assert result.exit_code == 2 and first in result.stdout and second in result.stdout
    assert orders(office)[first].assignee_id == person_id(office, 201)
    result = runner.invoke(app, ["staff", "remove", "201", "--yes", "--by", "陈主任"])
    assert result.exit_code == 0, result.output
    assert "2 jobs went back to dispatch" in result.stdout
    assert all(o.status == "open" and o.assignee_id is None for o in orders(office).values())
    with Session(office.engine) as session:
        removed = session.exec(select(EventLog).where(
            EventLog.action == "staff_removed")).one()
    assert removed.detail["by"] == "陈主任"
    result = runner.invoke(app, ["staff", "list", "--json"])
    assert "张师傅" not in {row["name"] for row in json.loads(result.stdout)}
    # Removed once: a second try is refused and says why.
    result = runner.invoke(app, ["staff", "remove", "201", "--yes"])
    assert result.exit_code == 2 and "201" in result.stderr


def test_rework_asked_after_the_technician_left_goes_to_dispatch_not_back_to_him(
        estate: Estate, office: Office) -> None:
    # His job was done and waiting for Wang's signature when he left: a rework asked then
    # must not hand it back to him, nor bring his card's buttons back to life.
    wang, zhang = estate.resident, estate.plumber
    number = report_tap_leak(estate)
    zhang.taps("Accept", chat_id=PLUMBERS)
    finish_job(estate)
    roster.remove_staff(office, person_id(office, 201), by="office admin")
    done = orders(office)[number]
    asked = len(zhang.chat)
    for verb in (Verb.REPORT_DAMAGE, Verb.SHOW_CARD):  # on his done job, still his on file
        refused = zhang.presses(tap(verb, done.id))
        assert zhang.toast_for(refused), verb
    assert len(zhang.chat) == asked  # no damage question, no card
    wang.taps("要求返工")
    wang.says("还是滴水")
    order = orders(office)[number]
    assert order.status == "open" and order.assignee_id is None
    assert any(number in m.text and any(data.startswith("v1:assign:") for _, data in m.buttons)
               for m in estate.desk.messages(DISPATCH))
    before = orders(office)[number]
    zhang.presses(tap(Verb.SET_OFF, order.id))
    zhang.presses(tap(Verb.FINISH, order.id))
    after = orders(office)[number]
    assert (after.status, after.assignee_id, after.on_way_at) == (
        before.status, before.assignee_id, before.on_way_at)


def test_a_callback_reopening_the_job_of_a_technician_who_left_finds_a_new_one(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = surveyed(office, clock, li, estate.plumber)
    order_id = survey_row(office, survey_id).order_id
    roster.remove_staff(office, person_id(office, 201), by="office admin")
    li.taps("2")
    li.says("Still dripping under the sink")
    with Session(office.engine) as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
    assert order.status == "open" and order.assignee_id is None
    told = " ".join(estate.desk.texts(li.user_id)[-3:])
    assert "sorry" in told and "new technician" in told and "goes back to" not in told
    assert not any("back to -" in text for text in estate.desk.texts(PLUMBERS))


def test_a_handed_back_job_nobody_takes_is_chased_again_from_the_hand_back(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    # 张师傅 took Wang's leak in time and left 20 minutes later; 赵师傅, whom the dispatcher
    # then gave it to after its dispatch alert, left as well. Each time nobody takes the job,
    # dispatch is alerted once, 14 minutes after the hand-back (not at once, and not never).
    wang, desk = estate.resident, estate.desk
    number = report_tap_leak(estate)
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    clock.advance(timedelta(minutes=20))
    for leaving in (201, 202):
        roster.remove_staff(office, person_id(office, leaving), by="office admin")
        # The office's agenda shows the same new deadline as the scheduler keeps.
        planned = {item.due for item in agenda(office)[0]
                   if item.target == number and item.kind == "dispatch_deadline"}
        assert planned == {clock.now() + timedelta(minutes=14)}
        heard = len(wang.chat)
        assert not due(office).counts["dispatch_deadline:alerted"]
        clock.advance(timedelta(minutes=13, seconds=59))
        assert not due(office).counts["dispatch_deadline:alerted"]
        clock.advance(timedelta(seconds=1))
        assert due(office).counts["dispatch_deadline:alerted"] == 1
        alert = desk.last(DISPATCH)
        assert number in alert.text and "15 minutes" in alert.text
        assert any(data.startswith("v1:assign:") for _, data in alert.buttons)
        # She was told a new technician will be assigned: no second "we are on it".
        assert len(wang.chat) == heard
        clock.advance(timedelta(minutes=30))
        assert not due(office).counts["dispatch_deadline:alerted"]  # once
        if leaving == 201:
            estate.dispatcher.taps("赵师傅", chat_id=DISPATCH)
            assert orders(office)[number].assignee_id == person_id(office, 202)
