"""outage_report: photos, the photos a resident sent with words the outage notice answered,
so "report it anyway" takes them into the report instead of dropping them

Revision ID: 0014_outage_report_photos
Revises: 0013_outbox_parts_message_ids
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_outage_report_photos"
down_revision: str | None = "0013_outbox_parts_message_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reports answered before this revision came from texts only: no photos.
    with op.batch_alter_table('outage_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photos', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('outage_report', schema=None) as batch_op:
        batch_op.drop_column('photos')
