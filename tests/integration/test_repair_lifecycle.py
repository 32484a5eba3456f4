"""A repair from the resident's chat to the plumber's phone and back, as transcripts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.work_orders import records
from storage.models import WorkOrder
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS, Estate, build_estate
from tests.support.repairs import finish_job, report_tap_leak


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def test_binding_greets_the_resident_with_the_unit_and_a_menu(estate: Estate) -> None:
    assert any("3-1202" in text for text in estate.desk.texts(101))
    assert estate.desk.find_button(101, "报修")


def test_a_repair_travels_from_resident_to_plumber_and_back(estate: Estate,
                                                             office: Office) -> None:
    wang, zhang, desk = estate.resident, estate.plumber, estate.desk
    wang.command("menu")
    wang.taps("报修")
    wang.says("厨房水龙头一直滴水，关不紧")
    assert "对吗" in wang.last  # the triage guess is offered, not imposed
    wang.taps("是的")
    wang.sends_photo("photo-1")
    wang.sends_photo("photo-2")
    wang.taps("照片已发完")
    wang.taps("明天上午")
    wang.taps("使用 13800000001")
    assert "13800000001" in wang.last and "明天上午" in wang.last
    wang.taps("提交")
    assert "WO-20261123-0001" in wang.last

    card = desk.last(PLUMBERS)
    assert card.text.startswith("WO-20261123-0001")
    assert "13800000001" not in card.text and "王芳" not in card.text
    assert "3-1202" in card.text and "水龙头" in card.text
    assert "WO-20261123-0001" in desk.last(DISPATCH).text

    tap = zhang.taps("接单", chat_id=PLUMBERS)
    assert "WO-20261123-0001" in zhang.toast_for(tap)
    card = desk.last(PLUMBERS)
    assert "张师傅" in card.text and card.buttons == [] and card.edits == 1
    private = zhang.chat[-1].text
    assert "王芳" in private and "13800000001" in private and "3-1202" in private
    assert any(message.photos == ["photo-1", "photo-2"] for message in zhang.chat)
    assert "张师傅" in wang.last

    zhang.taps("出发")
    assert "张师傅" in wang.last and "WO-20261123-0001" in wang.last
    assert zhang.chat[-1].edits == 1  # the private card was edited in place
    zhang.taps("完工")
    zhang.sends_photo("after-1")
    zhang.says("换了一个阀芯")
    zhang.taps("提交完工")
    assert "换了一个阀芯" in wang.last
    assert any(message.photos == ["after-1"] for message in wang.chat)
    wang.taps("确认签字")
    assert "WO-20261123-0001" in wang.last

    order = records.show_order(office, "WO-20261123-0001")
    assert order is not None
    assert order["status"] == "confirmed" and order["assignee"] == "张师傅"
    assert [e["action"] for e in order["events"]] == [
        "created", "accepted", "on_way", "done", "confirmed", "survey_scheduled"]
    people_steps = [e for e in order["events"] if e["action"] != "survey_scheduled"]
    assert all(e["at"] and e["chat_id"] and e["telegram_user_id"] for e in people_steps)
    assert len(desk.messages(MANAGERS)) == 1  # only the greeting when it was bound


def test_rework_goes_back_to_the_same_technician_and_twice_alerts_managers(
        estate: Estate, office: Office) -> None:
    wang, zhang, desk = estate.resident, estate.plumber, estate.desk
    number = report_tap_leak(estate)
    zhang.taps("接单", chat_id=PLUMBERS)
    finish_job(estate)
    wang.taps("要求返工")
    wang.says("还是滴水")
    assert "还是滴水" in zhang.chat[-2].text and number in zhang.chat[-2].text
    assert len(desk.messages(MANAGERS)) == 1  # only the greeting when it was bound
    finish_job(estate, "又换了密封圈")
    wang.taps("要求返工")
    wang.says("还是关不紧")
    assert number in desk.last(MANAGERS).text and "还是关不紧" in desk.last(MANAGERS).text
    finish_job(estate, "整个龙头换新")
    wang.taps("确认签字")
    order = records.show_order(office, number)
    assert order is not None and order["status"] == "confirmed"
    assert order["rework_count"] == 2


def test_the_technician_proposes_another_time_and_the_resident_agrees(estate: Estate) -> None:
    wang, zhang = estate.resident, estate.plumber
    report_tap_leak(estate)
    zhang.taps("接单", chat_id=PLUMBERS)
    zhang.taps("改约时间")
    zhang.says("周三下午三点")
    assert "周三下午三点" in wang.last
    wang.taps("时间可以")
    assert "周三下午三点" in zhang.chat[-2].text
    # The refreshed card shows the agreed window the words name: Wednesday of the test's
    # week (Monday 2026-11-23), three o'clock for the office's typed-time length.
    assert "2026-11-25 15:00–16:00" in zhang.chat[-1].text


def test_damage_reported_by_the_technician_alerts_managers(estate: Estate) -> None:
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    estate.plumber.taps("损坏")
    estate.plumber.says("拆装时碰裂了台面一角")
    assert "碰裂" in estate.desk.last(MANAGERS).text


def test_a_resident_cancels_with_a_reason_until_work_starts(estate: Estate,
                                                            office: Office) -> None:
    wang, desk = estate.resident, estate.desk
    number = report_tap_leak(estate)
    wang.command("my")
    assert number in wang.last
    wang.taps(f"取消 {number}")
    wang.says("自己修好了")
    card = desk.last(PLUMBERS)
    assert card.buttons == [] and "取消" in card.text
    order = records.show_order(office, number)
    assert order is not None and order["status"] == "cancelled"
    assert order["cancel_reason"] == "自己修好了"


def test_the_phone_written_in_the_report_is_offered_before_the_rostered_one(
        estate: Estate, office: Office) -> None:
    """All in one message: the number they wrote is where they want the call, not the
    roster's (13800000001), which a quick tap would otherwise send the technician to."""
    wang = estate.resident
    wang.says("卫生间漏水，明天下午在家，电话139 1234 5678")
    wang.taps("是的")
    wang.taps("没有照片")
    wang.taps("明天下午")
    assert [label for label, _data in wang.chat[-1].buttons][:2] == [
        "使用 139 1234 5678", "使用 13800000001"]
    wang.taps("使用 139")
    assert "联系电话：139 1234 5678" in wang.last
    wang.taps("提交")
    with Session(office.engine) as session:
        assert session.exec(select(WorkOrder.contact_phone)).one() == "139 1234 5678"


def test_the_time_written_in_the_report_is_offered_first_at_the_time_question(
        estate: Estate, office: Office) -> None:
    """All in one message, Monday 10:00: 明天下午 is offered as the afternoon window of
    Tuesday, before the quick times, and the technician's card gets the concrete window."""
    wang = estate.resident
    wang.says("卫生间漏水，明天下午在家，电话139 1234 5678")
    wang.taps("是的")
    wang.taps("没有照片")
    first = wang.chat[-1].buttons[0][0]
    assert first.startswith("明天下午 (2026-11-24 14:00–17:00)"), wang.chat[-1].buttons
    wang.taps("2026-11-24 14:00–17:00")
    assert "139 1234 5678" in str(wang.chat[-1].buttons)  # on to the phone question
    wang.taps("使用 139")
    assert "方便上门时间：明天下午 (2026-11-24 14:00–17:00)" in wang.last
    wang.taps("提交")
    with Session(office.engine) as session:
        assert session.exec(select(WorkOrder.preferred_time)).one() == (
            "明天下午 (2026-11-24 14:00–17:00)")
    assert "2026-11-24 14:00–17:00" in estate.desk.last(PLUMBERS).text


@pytest.mark.parametrize(("report", "hour"), [
    ("卫生间漏水，今天下午在家", 18),  # the afternoon window is over at 18:00
    ("卫生间漏水，明天晚上十点在家", 10),  # after the last visit window (till 20:00)
    ("卫生间漏水，明天在家", 10),  # a day alone names no window
])
def test_a_written_time_that_cannot_be_booked_is_not_offered(
        estate: Estate, clock: FakeClock, report: str, hour: int) -> None:
    clock.set(clock.now().replace(hour=hour))
    wang = estate.resident
    wang.says(report)
    wang.taps("是的")
    wang.taps("没有照片")
    assert wang.chat[-1].buttons[0][0] == "尽快", wang.chat[-1].buttons  # the quick times


def test_on_a_friday_the_resident_is_offered_monday_and_the_technician_can_agree_by_tap(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    """Friday 10:00: the office does not visit at the weekend, so the resident's quick times
    are Monday's, as the technician's window buttons are; Saturday typed is asked again."""
    clock.set(clock.now() + timedelta(days=4))  # Friday 2026-11-27
    wang, zhang = estate.resident, estate.plumber
    wang.says("厨房水龙头一直滴水，关不紧")
    wang.taps("是的")
    wang.taps("没有照片")
    shown = str(wang.chat[-1].buttons)
    assert "周一上午" in shown and "周一下午" in shown and "明天" not in shown, shown
    wang.says("周六上午")
    assert "周一至周五" in wang.last and "09:00–12:00" in wang.last, wang.last
    wang.taps("周一上午")
    wang.taps("使用 13800000001")
    assert "周一上午 (2026-11-30 09:00–12:00)" in wang.last
    wang.taps("提交")
    zhang.taps("接单", chat_id=PLUMBERS)
    ask = next(message for message in zhang.chat if message.text.startswith("📅"))
    first = ask.buttons[0][0]
    assert first.startswith("✅") and "11-30" in first, ask.buttons  # agreed by a tap
