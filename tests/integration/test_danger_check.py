"""Danger first, whatever the person is doing: every free-text message in every step of every
dialog is checked for an emergency, and one that might be one is asked about with one tap."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.office import Office, conversations
from storage.models import WorkOrder
from tests.support.desk import Person
from tests.support.estate import ON_DUTY, Estate, build_estate

BURNING = "开关冒烟了，有一股焦味"  # sparks: an emergency in any words
MAYBE = "好像有点烟味"  # might be smoke: ask
# (step, what the resident does to get there), as Wang (one home) would go through each step.
Action = tuple[str, str]
REPAIR_STEPS: list[tuple[str, list[Action]]] = [
    ("what", [("taps", "报修")]),
    ("detail", [("taps", "报修"), ("taps", "水管/给排水")]),
    ("where", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "厨房水龙头滴水")]),
    ("place", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "水龙头滴水"),
               ("taps", "公共区域")]),
    ("photos", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "水龙头滴水"),
                ("taps", "公共区域"), ("says", "3号楼大堂")]),
    ("time", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "水龙头滴水"),
              ("taps", "公共区域"), ("says", "3号楼大堂"), ("taps", "没有照片")]),
    ("phone", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "水龙头滴水"),
               ("taps", "公共区域"), ("says", "3号楼大堂"), ("taps", "没有照片"),
               ("taps", "明天上午")]),
    ("confirm", [("taps", "报修"), ("taps", "水管/给排水"), ("says", "水龙头滴水"),
                 ("taps", "公共区域"), ("says", "3号楼大堂"), ("taps", "没有照片"),
                 ("taps", "明天上午"), ("taps", "使用")]),
    ("check", [("says", "厨房水龙头一直滴水")]),
    ("trade", [("says", "厨房水龙头一直滴水"), ("taps", "换个类别")]),
]
SERVICE_STEPS: list[tuple[str, list[Action]]] = [
    ("pick", [("taps", "预约")]),
    ("time", [("taps", "预约"), ("taps", "开关维修")]),
    ("phone", [("taps", "预约"), ("taps", "开关维修"), ("taps", "明天上午")]),
    ("confirm", [("taps", "预约"), ("taps", "开关维修"), ("taps", "明天上午"),
                 ("taps", "使用")]),
]


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def walk(person: Person, actions: list[Action]) -> None:
    person.command("menu")
    for verb, what in actions:
        person.taps(what) if verb == "taps" else person.says(what)


def dialog_of(office: Office, person: Person) -> tuple[str, str] | None:
    with Session(office.engine) as session:
        found = conversations.load(session, person.user_id, person.user_id)
    return (found.flow, found.step) if found else None


def emergencies(office: Office) -> list[WorkOrder]:
    with Session(office.engine) as session:
        return list(session.exec(select(WorkOrder).where(WorkOrder.emergency)).all())


@pytest.mark.parametrize(("flow", "step", "actions"),
                         [("repair", s, a) for s, a in REPAIR_STEPS]
                         + [("service", s, a) for s, a in SERVICE_STEPS],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_an_emergency_typed_in_any_step_goes_to_the_on_duty_staff_at_once(
        estate: Estate, office: Office, flow: str, step: str, actions: list[Action]) -> None:
    wang = estate.resident
    walk(wang, actions)
    assert dialog_of(office, wang) == (flow, step)
    wang.says(BURNING)
    assert [o.hazard for o in emergencies(office)] == ["sparks"]
    assert any("总闸" in m.text or "断路器" in m.text or "电闸" in m.text for m in wang.chat[-3:])
    assert BURNING in estate.desk.last(ON_DUTY).text
    assert dialog_of(office, wang) is None


@pytest.mark.parametrize("step", ["detail", "photos"])
def test_an_emergency_written_under_a_photo_in_a_dialog_goes_to_the_on_duty_staff_with_it(
        estate: Estate, office: Office, step: str) -> None:
    wang = estate.resident
    walk(wang, dict(REPAIR_STEPS)[step])
    assert dialog_of(office, wang) == ("repair", step)
    wang.sends_photo("socket-smoke", caption=BURNING)
    assert [(o.hazard, o.photos) for o in emergencies(office)] == [("sparks", ["socket-smoke"])]
    assert BURNING in estate.desk.last(ON_DUTY).text
    assert dialog_of(office, wang) is None


def test_a_photo_whose_caption_might_be_danger_asks_and_no_keeps_the_photo_in_the_dialog(
        estate: Estate, office: Office) -> None:
    wang = estate.resident
    walk(wang, dict(REPAIR_STEPS)["photos"])
    wang.sends_photo("maybe-smoke", caption=MAYBE)
    assert dialog_of(office, wang) == ("danger_check", "ask")
    wang.taps("不是")
    assert emergencies(office) == []
    assert dialog_of(office, wang) == ("repair", "photos")
    with Session(office.engine) as session:
        found = conversations.load(session, wang.user_id, wang.user_id)
    assert found is not None and "maybe-smoke" in str(found.data)


def test_an_emergency_typed_as_an_answer_to_a_question_is_not_taken_as_the_answer(
        estate: Estate, office: Office) -> None:
    wang = estate.resident
    walk(wang, [("says", "厨房水龙头一直滴水"), ("taps", "是的"), ("taps", "没有照片"),
                ("taps", "明天上午"), ("taps", "使用"), ("taps", "提交")])
    estate.plumber.taps("接单", chat_id=-1001)
    wang.command("my")
    wang.taps("取消")
    assert dialog_of(office, wang) == ("answer", "cancel_reason")
    wang.says("天花板在漏水，水哗哗往下流，满地都是水")
    assert [o.hazard for o in emergencies(office)] == ["flood"]
    with Session(office.engine) as session:
        repair = session.exec(select(WorkOrder).where(~WorkOrder.emergency)).one()  # type: ignore[arg-type]
    assert repair.status == "accepted"  # not cancelled with the emergency as its reason


def test_a_message_that_might_be_danger_asks_one_question_and_yes_alerts_at_once(
        estate: Estate, office: Office) -> None:
    wang = estate.resident
    walk(wang, REPAIR_STEPS[1][1])  # describing a plumbing problem
    wang.says(MAYBE)
    assert "危险" in wang.last and [b for b, _ in wang.chat[-1].buttons] == ["🚨 是，现在", "不是"]
    assert dialog_of(office, wang) == ("danger_check", "ask")
    wang.taps("是，现在")
    assert len(emergencies(office)) == 1 and MAYBE in estate.desk.last(ON_DUTY).text


def test_no_danger_and_the_dialog_goes_on_with_the_same_words(estate: Estate,
                                                               office: Office) -> None:
    wang = estate.resident
    walk(wang, REPAIR_STEPS[1][1])
    wang.says(MAYBE)
    wang.taps("不是")
    assert emergencies(office) == []
    assert dialog_of(office, wang) == ("repair", "where")  # the words became the description
    wang.taps("在我家")
    wang.taps("没有照片")
    wang.taps("明天上午")
    wang.taps("使用")
    assert MAYBE in wang.last  # on the summary, as the description


def test_outside_any_dialog_no_danger_goes_on_to_the_usual_intake(estate: Estate,
                                                                   office: Office) -> None:
    wang = estate.resident
    wang.says(MAYBE)
    wang.taps("不是")
    assert emergencies(office) == []
    assert "对吗" in wang.last or "请问" in wang.last or wang.chat[-1].buttons


def test_a_stranger_who_might_be_in_danger_is_asked_too(estate: Estate,
                                                        office: Office) -> None:
    stranger = estate.desk.person(777, "Visitor", "en")
    stranger.says("there is a weird smell like smoke maybe")
    if dialog_of(office, stranger) is None:  # read as a clear emergency: alerted already
        assert emergencies(office)
        return
    stranger.taps("Yes, now")
    assert len(emergencies(office)) == 1


def test_tapping_nothing_keeps_the_question(estate: Estate, office: Office) -> None:
    wang = estate.resident
    wang.says(MAYBE)
    wang.says("嗯")
    assert dialog_of(office, wang) == ("danger_check", "ask")
    assert "是" in wang.last and "不是" in wang.last


@pytest.mark.parametrize(("label", "kind"), [("这是投诉", "complaint"), ("这是咨询", "enquiry")])
def test_a_misread_message_reaches_the_right_desk_in_one_tap_and_the_correction_is_kept(
        estate: Estate, office: Office, label: str, kind: str) -> None:
    from storage.models import EventLog, FrontDeskRequest
    wang = estate.resident
    walk(wang, [("taps", "报修"), ("says", "厨房水龙头滴水")])  # read as a repair
    assert dialog_of(office, wang) == ("repair", "check")
    wang.taps(label)
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).first()
        correction = session.exec(select(EventLog).where(
            EventLog.action == "triage_corrected")).one()
    assert correction.detail["chosen"] == kind
    assert correction.detail["guessed"].startswith("repair/")
    if kind == "complaint":  # the complaint dialog takes it on, with the words already given
        assert request is None and dialog_of(office, wang) == ("complaint", "when")
        return
    assert request is not None and request.kind == kind and request.text == "厨房水龙头滴水"
    assert dialog_of(office, wang) is None
