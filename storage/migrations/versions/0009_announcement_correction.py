"""announcement correction: a recall's words, kept for the copies whose delete Telegram refuses

Revision ID: 0009_announcement_correction
Revises: 0008_callback_outcomes
Create Date: 2026-12-02 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_announcement_correction"
down_revision: str | None = "0008_callback_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.add_column(sa.Column("correction", sqlmodel.sql.sqltypes.AutoString(
            length=1000), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.drop_column("correction")
