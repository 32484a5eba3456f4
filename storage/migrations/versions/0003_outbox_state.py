"""outbox_state: parts sent, rate limit and last error in their own columns

Until 0002 the sender kept a row's delivery state inside ``outbox.error`` as text:
``parts_done=N; 429: <reason>``. This moves each piece into its own column and keeps every
row: ``parts_done=N`` becomes ``parts_sent``, a ``429: `` prefix becomes ``rate_limited``,
the rest of the text becomes ``last_error``. The downgrade writes the same text back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence
import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROGRESS = re.compile(r"^parts_done=(\d+)(?:; )?")
_RATE_LIMITED = "429: "


def split_error(error: str) -> tuple[int, bool, str]:
    """``parts_done=2; 429: Too Many Requests`` → ``(2, True, "Too Many Requests")``."""
    error = error or ""
    parts_sent = 0
    match = _PROGRESS.match(error)
    if match:
        parts_sent, error = int(match.group(1)), error[match.end():]
    rate_limited = error.startswith(_RATE_LIMITED)
    if rate_limited:
        error = error[len(_RATE_LIMITED):]
    return parts_sent, rate_limited, error


def join_error(parts_sent: int, rate_limited: bool, last_error: str) -> str:
    """The inverse of :func:`split_error` (for the downgrade)."""
    text = (f"parts_done={parts_sent}" + ("; " if rate_limited or last_error else "")
            if parts_sent else "")
    text += (_RATE_LIMITED if rate_limited else "") + (last_error or "")
    return text[:500]


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('rate_limited', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default=''))
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('error', sa.String()),
                      sa.column('parts_sent', sa.Integer()),
                      sa.column('rate_limited', sa.Boolean()),
                      sa.column('last_error', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.error)
                              .where(outbox.c.error != '')).all()
    if rows:
        values = []
        for row_id, error in rows:
            parts_sent, rate_limited, last_error = split_error(error)
            values.append({"row_id": row_id, "p": parts_sent, "r": rate_limited,
                           "e": last_error})
        connection.execute(outbox.update().where(outbox.c.id == sa.bindparam("row_id"))
                           .values(parts_sent=sa.bindparam("p"), rate_limited=sa.bindparam("r"),
                                   last_error=sa.bindparam("e")), values)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('error')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default=''))
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('error', sa.String()),
                      sa.column('parts_sent', sa.Integer()),
                      sa.column('rate_limited', sa.Boolean()),
                      sa.column('last_error', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.parts_sent, outbox.c.rate_limited, outbox.c.last_error)
        .where(sa.or_(outbox.c.parts_sent != 0, outbox.c.rate_limited.is_(True),
                      outbox.c.last_error != ''))).all()
    if rows:
        connection.execute(outbox.update().where(outbox.c.id == sa.bindparam("row_id"))
                           .values(error=sa.bindparam("e")),
                           [{"row_id": r.id, "e": join_error(r.parts_sent, r.rate_limited,
                                                             r.last_error)} for r in rows])
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('rate_limited')
        batch_op.drop_column('parts_sent')
