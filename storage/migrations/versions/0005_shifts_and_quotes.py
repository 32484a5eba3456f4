"""shifts and quotes: a technician's on/off shift, the reason for a quote off the price list

Revision ID: 0005_shifts
Revises: 0004
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005_shifts'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_shift', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_reason',
                                      sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_column('price_reason')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('on_shift')
