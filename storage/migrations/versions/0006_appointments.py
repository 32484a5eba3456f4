"""appointments: the visit window of a work order and its reminders

Revision ID: 0006_appointments
Revises: 0005_complaints
Create Date: 2026-12-02 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0006_appointments"
down_revision: str | None = "0005_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("slot", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("window_start", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("window_end", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("evening_due_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("hour_due_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("missed_due_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        for column in ("evening_due_at", "hour_due_at", "missed_due_at"):
            batch_op.create_index(batch_op.f(f"ix_appointment_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        for column in ("missed_due_at", "hour_due_at", "evening_due_at"):
            batch_op.drop_index(batch_op.f(f"ix_appointment_{column}"))
    op.drop_table("appointment")
