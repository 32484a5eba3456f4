"""callback surveys: one per completed visit (order, visit), so a rework gets its own

Revision ID: 0010_survey_per_visit
Revises: 0009_announcement_correction
Create Date: 2026-12-02 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_survey_per_visit"
down_revision: str | None = "0009_announcement_correction"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0002 left the unique constraint on order_id unnamed: PostgreSQL named it itself; on SQLite
# the batch copy needs a naming convention to find it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_name() -> str:
    sqlite = op.get_bind().dialect.name == "sqlite"
    return "uq_callback_survey_order_id" if sqlite else "callback_survey_order_id_key"


def upgrade() -> None:
    with op.batch_alter_table("callback_survey", naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("visit", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint(_old_name(), type_="unique")
        batch_op.create_unique_constraint("uq_callback_survey_visit", ["order_id", "visit"])


def downgrade() -> None:
    with op.batch_alter_table("callback_survey", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("uq_callback_survey_visit", type_="unique")
        batch_op.create_unique_constraint(_old_name(), ["order_id"])
        batch_op.drop_column("visit")
