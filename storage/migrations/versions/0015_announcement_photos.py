"""announcement: photos instead of photo, so a notice sent as an album goes out with every
photo of it, not just the first

Revision ID: 0015_announcement_photos
Revises: 0014_outage_report_photos
Create Date: 2026-12-04 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_announcement_photos"
down_revision: str | None = "0014_outage_report_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ANNOUNCEMENT = sa.table("announcement", sa.column("id", sa.Integer),
                         sa.column("photo", sa.String), sa.column("photos", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photos', sa.JSON(), nullable=False,
                                      server_default='[]'))
    bind = op.get_bind()
    for row in bind.execute(sa.select(_ANNOUNCEMENT.c.id, _ANNOUNCEMENT.c.photo)
                            .where(_ANNOUNCEMENT.c.photo != "")).all():
        bind.execute(_ANNOUNCEMENT.update().where(_ANNOUNCEMENT.c.id == row.id)
                     .values(photos=[row.photo]))
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_column('photo')


def downgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo', sa.String(length=500), nullable=False,
                                      server_default=''))
    bind = op.get_bind()
    for row in bind.execute(sa.select(_ANNOUNCEMENT.c.id, _ANNOUNCEMENT.c.photos)).all():
        if row.photos:
            bind.execute(_ANNOUNCEMENT.update().where(_ANNOUNCEMENT.c.id == row.id)
                         .values(photo=row.photos[0]))
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_column('photos')
