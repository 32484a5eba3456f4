"""The estate with fee plans, a manager, and readers of what the fee desk recorded.

Plans (as the roster CSV carries them): 3-1202 (Wang, Simplified Chinese) quarterly at
300.50 a month, 3-1203 (Li, English) monthly at 280.00, 5-0101 (nobody bound) half-yearly at
250.00. The staff groups speak English; Zhou is a manager, Liu the dispatcher.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from dialogs.buttons import Verb, tap
from handlers.fees.ladder import DEFAULT_LADDER
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.rules import OfficeRules
from handlers.registration import roster
from scheduler.drain import DrainReport, drain_once, fees_once
from storage.fees import FeeBill, FeeCampaign, FeeNotice, FeeTask
from storage.models import Outbox
from tests.support.desk import Person, Shown
from tests.support.estate import MANAGERS, Estate, build_estate
from tests.support.orders import sh

PLANS = [
    {"building": "3", "room": "1202", "name": "王芳", "phone": "13800000001",
     "fee_plan": "quarterly", "monthly_fee": "300.50"},
    {"building": "3", "room": "1203", "name": "Li Lei", "phone": "13800000002",
     "fee_plan": "monthly", "monthly_fee": "280.00"},
    {"building": "5", "room": "0101", "name": "赵敏", "phone": "13800000003",
     "fee_plan": "semiannual", "monthly_fee": "250.00"},
]


@dataclasses.dataclass
class FeeEstate:
    estate: Estate
    manager: Person

    @property
    def li(self) -> Person:
        return self.estate.neighbour

    @property
    def wang(self) -> Person:
        return self.estate.resident


def fee_estate(office: Office) -> FeeEstate:
    estate = build_estate(office, staff_language="en")
    roster.import_households(office, enumerate(PLANS, start=2))
    manager = estate.desk.person(401, "Zhou", "en")
    manager.command("start", roster.create_invite(office, "staff", "manager", [], "Zhou"))
    return FeeEstate(estate, manager)


def with_ladder(office: Office, tmp_path: Path, **changes: str) -> Office:
    """The office with its own ladder file: the manual's, with *changes* (old → new text)."""
    text = DEFAULT_LADDER.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "ladder.yaml"
    path.write_text(text, encoding="utf-8")
    return dataclasses.replace(office, rules=OfficeRules(fee_ladder_path=path))


def calendar(office: Office) -> DrainReport:
    """The scheduler's fee pass (prepare what is dated today)."""
    return fees_once(office)


def drain(office: Office) -> DrainReport:
    return drain_once(office)


def campaign(office: Office, kind: str, plan: str) -> FeeCampaign:
    with Session(office.engine) as session:
        found = session.exec(select(FeeCampaign).where(
            FeeCampaign.kind == kind, FeeCampaign.plan == plan)
            .order_by(col(FeeCampaign.id).desc())).first()
        assert found is not None, (kind, plan)
        return found


def notices(office: Office, campaign_id: int | None = None) -> list[FeeNotice]:
    with Session(office.engine) as session:
        query = select(FeeNotice).order_by(col(FeeNotice.id))
        if campaign_id is not None:
            query = query.where(FeeNotice.campaign_id == campaign_id)
        return list(session.exec(query).all())


def bills(office: Office, household_id: int | None = None) -> list[FeeBill]:
    with Session(office.engine) as session:
        query = select(FeeBill).order_by(col(FeeBill.period_start), col(FeeBill.id))
        if household_id is not None:
            query = query.where(FeeBill.household_id == household_id)
        return list(session.exec(query).all())


def fee_tasks(office: Office) -> list[FeeTask]:
    with Session(office.engine) as session:
        return list(session.exec(select(FeeTask).order_by(col(FeeTask.id))).all())


def fee_rows(office: Office, chat_id: int) -> list[Outbox]:
    """The notices written to *chat_id*'s outbox (any status)."""
    with Session(office.engine) as session:
        return list(session.exec(select(Outbox).where(
            Outbox.chat_id == chat_id, col(Outbox.ref).startswith("fee:"))
            .order_by(col(Outbox.id))).all())


def preview(shown: Sequence[Shown], campaign_id: int) -> Shown:
    """The managers' preview of a campaign, as the chat shows it now."""
    data = tap(Verb.FEE_CAMPAIGN, campaign_id, "approve")
    hold = tap(Verb.FEE_CAMPAIGN, campaign_id, "hold")
    for message in reversed(shown):
        if any(d in (data, hold) for _, d in message.buttons) or (
                f"#{campaign_id}" in message.text):
            return message
    raise AssertionError(f"no preview of campaign {campaign_id}")


def decide(fees: FeeEstate, campaign_id: int, choice: str = "approve",
           who: Person | None = None) -> Any:
    """A manager taps Approve or Hold under the campaign's preview."""
    desk = fees.estate.desk
    shown = preview(desk.messages(MANAGERS), campaign_id)
    return (who or fees.manager).presses(tap(Verb.FEE_CAMPAIGN, campaign_id, choice),
                                         MANAGERS, shown.message_id)


def notice_sent(fees: FeeEstate, office: Office, clock: FakeClock, kind: str, plan: str,
                day: date) -> FeeCampaign:
    """The *plan*'s notice dated *day*: prepared at 08:00, approved at once, sent from 09:00
    (the start of the sending day) and delivered."""
    clock.set(sh(day.year, day.month, day.day, 8, 0))
    calendar(office)
    found = campaign(office, kind, plan)
    decide(fees, found.id or 0)
    clock.set(sh(day.year, day.month, day.day, 9, 0))
    drain(office)
    fees.estate.desk.deliver()
    return found
