"""outbox: parts_message_ids, the messages of the parts of a send already delivered (the
photos ahead of an editable text), so a recall deletes every message of a copy, not only
the last one the row keeps for edits

Revision ID: 0013_outbox_parts_message_ids
Revises: 0012_outbox_written_notify
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_outbox_parts_message_ids"
down_revision: str | None = "0012_outbox_written_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows sent before this revision keep an empty list: their earlier parts were not written
    # down, and a recall of them deletes the last message only, as it did.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_message_ids', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parts_message_ids')
