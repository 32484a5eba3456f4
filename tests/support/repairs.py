"""A repair as the people of the estate do it, for tests that need one under way: Wang reports
a dripping tap through the menu (or Li books the paid tap repair), Zhang the plumber finishes
it."""

from __future__ import annotations

from tests.support.estate import PLUMBERS, Estate


def report_tap_leak(estate: Estate, typed_time: str | None = None) -> str:
    """Wang reports a dripping tap through the menu and submits it (the next visit day's
    morning suits her — "明天上午", or "周一上午" on a Friday — or the *typed_time* she types);
    returns the number."""
    wang = estate.resident
    wang.command("menu")
    wang.taps("报修")
    wang.says("厨房水龙头一直滴水，关不紧")
    wang.taps("是的")
    wang.taps("没有照片")
    if typed_time is None:
        wang.presses(next(data for _, data in estate.desk.last(wang.user_id).buttons
                          if data.endswith(":time:tomorrow_am")))
    else:
        wang.says(typed_time)
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


def report_leak_free_tomorrow_afternoon(estate: Estate) -> str:
    """Wang writes "卫生间漏水，明天下午在家" in one message and takes the time she wrote
    (明天下午 (… 14:00–17:00)) at the time question; returns the number."""
    wang = estate.resident
    wang.says("卫生间漏水，明天下午在家，电话139 1234 5678")
    wang.taps("是的")
    wang.taps("没有照片")
    wang.taps("14:00–17:00")  # "明天下午 (2026-11-24 14:00–17:00) — use this?"
    wang.taps("使用 139")
    wang.taps("提交")
    number = estate.desk.last(PLUMBERS).text.split(" ")[0]
    assert number.startswith("WO-")
    return number
