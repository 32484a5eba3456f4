"""outbox: one index on (chat_id, ref, id) in place of the one on chat_id, so an edit by ref
finds its message without reading every row of the chat (a staff chat's grow without end)

Revision ID: 0011_outbox_chat_ref
Revises: 0010_survey_per_visit
Create Date: 2026-12-02 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_outbox_chat_ref"
down_revision: str | None = "0010_survey_per_visit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat_ref", "outbox", ["chat_id", "ref", "id"])
    op.drop_index("ix_outbox_chat_id", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
    op.drop_index("ix_outbox_chat_ref", table_name="outbox")
