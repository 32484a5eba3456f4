"""outbox: on PostgreSQL, every statement that inserts outbox rows NOTIFYs frontline_outbox,
so the sender leading in one worker hears of the rows the other workers (and the scheduler's
process) commit at once, instead of at its next poll of the outbox

Revision ID: 0012_outbox_written_notify
Revises: 0011_outbox_chat_ref
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_outbox_written_notify"
down_revision: str | None = "0011_outbox_chat_ref"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The channel storage/outbox_signal.py listens on; a migration keeps its own words.
CHANNEL = "frontline_outbox"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has one process writing; the sender is handed its rows in-process
    # Notifications are delivered at commit, never for a rolled-back transaction, and the
    # same one raised twice in a transaction is delivered once: one per commit at most.
    op.execute(f"""
        CREATE FUNCTION frontline_outbox_written() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END $$""")
    # Per statement, not per row: a fee campaign's one INSERT of 100,000 notices is one.
    op.execute("""
        CREATE TRIGGER outbox_written AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION frontline_outbox_written()""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_written ON outbox")
    op.execute("DROP FUNCTION frontline_outbox_written()")
