"""Money at the fee desk: ``Decimal`` yuan in code, whole fen in the database.

Computations keep every digit and round half-up to the fen once, at their end.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

FEN: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")
MAX_AMOUNT: Final = Decimal("100000000")  # a hundred million yuan: anything above is a typo


def round_money(amount: Decimal) -> Decimal:
    """*amount* rounded half-up to the fen (0.005 → 0.01)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Yuan with at most two decimals → whole fen; raises ValueError for fractions of a fen."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a fen")
    return int(fen)


def from_fen(fen: int | None) -> Decimal:
    """Whole fen → yuan with two decimals."""
    return (Decimal(fen or 0) / 100).quantize(FEN)


def yuan(amount: Decimal) -> str:
    """How an amount is written for people: ``1280.50``."""
    return f"{round_money(amount):.2f}"


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal | None:
    """A positive amount of yuan as typed (``280``, ``280.5``, ``¥280.50``, ``280元``) with at
    most two decimals, or None."""
    cleaned = (text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
               .removesuffix("元").removesuffix("yuan").strip())
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount >= MAX_AMOUNT or amount < 0:
        return None
    if amount == 0 and not allow_zero:
        return None
    if amount != amount.quantize(FEN):
        return None
    return amount.quantize(FEN)
