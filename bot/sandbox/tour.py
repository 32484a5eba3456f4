"""The guided tour: what to try, in order, with the exact buttons the bot shows.

Each step names who to act as and in which chat, so the web view's "Show me" button can open
the right conversation (and put example text into the input box, never send it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    detail: str
    person: str  # persona key to act as
    chat: str = ""  # group key; empty = the person's private chat with the bot
    example: str = ""  # text put into the input box
    clock: str = ""  # a clock jump this step is about ("day", "hour", "next_nine")


TOUR: tuple[Step, ...] = (
    Step("Report a leak as a resident",
         "As 王芳, write what is wrong in your own words. The bot guesses the trade — tap "
         "“✅ 是的”, then “没有照片” (or send a sample photo first), “明天上午”, "
         "“使用 13800000001” and “📨 提交”.",
         person="wang", example="卫生间水管接头漏水了，一直在滴"),
    Step("Accept it as a plumber",
         "In 水管接单群, act as 张师傅 and tap “✋ 接单” on the new card. The card shows who "
         "took it; the resident's name and phone arrive in 张师傅's private chat only.",
         person="zhang", chat="plumbing"),
    Step("See what the resident sees",
         "Back as 王芳: the bot says who is coming and when.", person="wang"),
    Step("Do the job",
         "As 张师傅 in his private chat: “🚶 出发”, then “✅ 完工”; send a photo or a note "
         "of materials, then “✅ 提交完工”.",
         person="zhang", example="换了一段软管和密封圈"),
    Step("Confirm it — the resident's signature",
         "As 王芳, tap “✅ 确认签字”.", person="wang"),
    Step("Advance two days and answer the survey",
         "Press “+1 day” twice (or “Next 09:00”). The callback survey arrives inside its "
         "window, in daytime only; 王芳 taps a rating.",
         person="wang", clock="day"),
    Step("Let a dispatch deadline pass",
         "As 陳大文, report something (e.g. a broken corridor light) and let nobody accept "
         "it. Press “+1 hour”: the dispatch desk (调度台) is alerted.",
         person="chan", example="走廊的燈壞了，晚上很暗", clock="hour"),
    Step("Link a home by phone number",
         "As 赵敏 (not linked yet), send /start and tap “📱 分享我的手机号”: her number is on "
         "the roster, so the chat is linked to 5-0101.",
         person="zhao_min", example="/start"),
    Step("Other languages",
         "Li Lei reads English, 陳大文 Traditional Chinese; each group card is in the "
         "staff's language. Try /my and /language.",
         person="li", example="My kitchen tap is dripping"),
)


def tour_json() -> list[dict[str, Any]]:
    return [asdict(step) for step in TOUR]
