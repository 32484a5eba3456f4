"""A statement whose credit (money paid beyond every bill's principal) is set against the late
fee still owed: its figures agree with each other and with the receipt sent at that moment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dialogs.fees import statement_text
from handlers.fees.ladder import load_ladder
from handlers.fees.statement import BillLine, Statement
from handlers.fees.views import statement_view
from locales import render
from storage.models import Household


def test_a_credit_set_against_the_late_fee_is_taken_off_it_not_shown_beside_it() -> None:
    november = BillLine(1, date(2026, 11, 1), date(2026, 11, 30), "management", None,
                        Decimal("280.00"), Decimal("280.00"), Decimal("187.26"), Decimal("0"))
    statement = Statement(date(2026, 12, 4), (november,), Decimal("10.00"))
    home = Household(id=7, building="3", room="1202", name="王芳", phone="13800000001")
    text = render(statement_text(statement_view(statement, home, load_ladder())), "en")
    assert "Total due: 177.26 yuan (late fee included: 177.26 yuan)." in text
    assert "10.00" in text and "late fee" in text.split("10.00")[0].splitlines()[-1]
