"""The fee desk's statements on SQLite and on PostgreSQL: a campaign is prepared with one
INSERT … SELECT, sent, and stopped by a payment the same way on both, and its times and
amounts come back exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from handlers.fees import campaigns, ledger
from handlers.office import Office
from handlers.office.clock import FakeClock
from storage.fees import FeeBill, FeeCampaign, FeeNotice
from tests.support.fees import calendar, campaign, decide, drain, fee_estate, fee_rows
from tests.support.orders import sh

pytestmark = pytest.mark.postgres


def test_a_campaign_runs_the_same_on_both_databases(any_office: Office,
                                                    clock: FakeClock) -> None:
    fees = fee_estate(any_office)
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(any_office)
    with Session(any_office.engine) as session:
        bills = {b.item: b for b in session.exec(select(FeeBill)).all()}
        notice = session.exec(select(FeeNotice)).first()
        prepared = session.exec(select(FeeCampaign)).first()
    assert bills["management"].created_at == sh(2026, 12, 1, 8, 0)  # an aware UTC moment
    assert notice is not None and notice.created_at == sh(2026, 12, 1, 8, 0)
    assert prepared is not None and prepared.prepared_at == sh(2026, 12, 1, 8, 0)
    overdue = campaign(any_office, "overdue", "monthly")
    semi = campaign(any_office, "payment", "semiannual")
    assert (overdue.total_fen, semi.total_fen) == (28000, 150000)
    decide(fees, overdue.id or 0)
    clock.set(sh(2026, 12, 1, 9, 0))
    assert drain(any_office).counts["fee_notice:sent"] == 1
    result = ledger.record_at_desk(any_office, "3", "1203", "280.00", receipt_no="R-PG-1")
    assert result.statement.total_due == Decimal("0.00")
    assert [r.status for r in fee_rows(any_office, fees.li.user_id)] in (["cancelled"],
                                                                          ["sent"])
    shown = campaigns.campaigns(any_office)
    assert {row["kind"] for row in shown} == {"overdue", "payment"}
