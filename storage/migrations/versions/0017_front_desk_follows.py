"""front_desk_request: follows_id, the desk's answered request a resident's reply follows (the
reply is a request of its own, with its own 24-hour clock, shown to the desk with the question
it follows)

Revision ID: 0017_front_desk_follows
Revises: 0016_callback_closed_unrated
Create Date: 2026-12-04 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_front_desk_follows"
down_revision: str | None = "0016_callback_closed_unrated"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Requests filed before this revision follow none: nothing to fill in.
    with op.batch_alter_table("front_desk_request") as batch_op:
        batch_op.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_front_desk_request_follows_id", "front_desk_request",
                                    ["follows_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("front_desk_request") as batch_op:
        batch_op.drop_constraint("fk_front_desk_request_follows_id", type_="foreignkey")
        batch_op.drop_column("follows_id")
