"""announcements: notices and planned outages, each recipient's copy, outage reports answered

Revision ID: 0007_announcements
Revises: 0006_appointments
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0007_announcements"
down_revision: str | None = "0006_appointments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _when() -> storage.types.UtcDateTime:
    return storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("text", _text(4000), nullable=False),
        sa.Column("photo", _text(500), nullable=False),
        sa.Column("audience", _text(16), nullable=False),
        sa.Column("buildings", sa.JSON(), nullable=False),
        sa.Column("trade", _text(16), nullable=False),
        sa.Column("service", _text(100), nullable=False),
        sa.Column("utility", _text(8), nullable=False),
        sa.Column("starts_at", _when(), nullable=True),
        sa.Column("ends_at", _when(), nullable=True),
        sa.Column("send_at", _when(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("by_language", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("decided_at", _when(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("finished_at", _when(), nullable=True),
        sa.Column("recalled_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_announcement_outage", "announcement", ["kind", "status", "ends_at"])
    op.create_table(
        "announcement_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("language", _text(8), nullable=False),
        sa.Column("state", _text(16), nullable=False),
        sa.Column("due_at", _when(), nullable=True),
        sa.Column("queued_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("announcement_id", "chat_id"),
    )
    op.create_index("ix_announcement_delivery_due", "announcement_delivery",
                    ["state", "due_at"])
    op.create_index(op.f("ix_announcement_delivery_announcement_id"),
                    "announcement_delivery", ["announcement_id"])
    op.create_table(
        "outage_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", _text(4096), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("reported_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outage_report_announcement_id"), "outage_report",
                    ["announcement_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outage_report_announcement_id"), table_name="outage_report")
    op.drop_table("outage_report")
    op.drop_index(op.f("ix_announcement_delivery_announcement_id"),
                  table_name="announcement_delivery")
    op.drop_index("ix_announcement_delivery_due", table_name="announcement_delivery")
    op.drop_table("announcement_delivery")
    op.drop_index("ix_announcement_outage", table_name="announcement")
    op.drop_table("announcement")
