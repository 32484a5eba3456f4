"""A repair as the people of the estate do it, for tests that need one under way: Wang reports
a dripping tap through the menu (or Li books the paid tap repair), Zhang the plumber finishes
it."""

from __future__ import annotations

from tests.support.estate import PLUMBERS, Estate


def report_tap_leak(estate: Estate) -> str:
    """Wang reports a dripping tap through the menu and submits it; returns the number."""
    wang = estate.resident
    wang.command("menu")
    wang.taps("报修")
    wang.says("厨房水龙头一直滴水，关不紧")
    wang.taps("是的")
    wang.taps("没有照片")
    wang.taps("明天上午")
    wang.taps("使用")
    wang.taps("提交")
    number = estate.desk.last(PLUMBERS).text.split(" ")[0]
    assert number.startswith("WO-")
    return number


def book_tap_repair(estate: Estate) -> str:
    """Li books the paid tap repair; 张师傅 takes it. Returns the order number."""
    li = estate.neighbour
    li.command("menu")
    li.taps("Book a service")
    li.taps("Tap / valve repair")
    li.taps("Tomorrow afternoon")
    li.says("13912345678")
    li.taps("Book it")
    number = li.last.split("Received: ")[1].split(".")[0]
    estate.plumber.taps("✋", chat_id=PLUMBERS)  # "Accept", in the group's language
    return number


def finish_job(estate: Estate, note: str = "换了阀芯") -> None:
    """Zhang, who took the job, marks it done with *note* as the finish note."""
    zhang = estate.plumber
    zhang.taps("完工")
    zhang.says(note)
    zhang.taps("提交完工")
