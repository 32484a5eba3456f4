"""callback_survey: closed_at, when a phone task was closed without a rating (could not reach,
wrong number, reopened as rework), and bot_rating, the resident's late rating in the bot kept
when the desk then records the call

Revision ID: 0016_callback_closed_unrated
Revises: 0015_announcement_photos
Create Date: 2026-12-04 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0016_callback_closed_unrated"
down_revision: str | None = "0015_announcement_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tasks closed before this revision were all closed with a rating: nothing to fill in.
    with op.batch_alter_table("callback_survey") as batch_op:
        batch_op.add_column(sa.Column("closed_at", storage.types.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("bot_rating", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_survey") as batch_op:
        batch_op.drop_column("bot_rating")
        batch_op.drop_column("closed_at")
