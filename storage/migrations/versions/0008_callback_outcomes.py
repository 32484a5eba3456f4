"""callback outcomes: why a callback became a phone task, and the note that closed a
corrective task

Revision ID: 0008_callback_outcomes
Revises: 0007_announcements
Create Date: 2026-12-02 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_callback_outcomes"
down_revision: str | None = "0007_announcements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_survey") as batch_op:
        batch_op.add_column(sa.Column("phone_reason", sqlmodel.sql.sqltypes.AutoString(
            length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("correction_note", sqlmodel.sql.sqltypes.AutoString(
            length=1000), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("callback_survey") as batch_op:
        batch_op.drop_column("correction_note")
        batch_op.drop_column("phone_reason")
