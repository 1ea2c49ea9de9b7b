"""live topic slugs unique

A slug names at most one live (not retired) topic on the platform: lesson addresses find a
topic by its slug alone. The loader and authoring already refuse a second one; this partial
unique index settles two packages loaded at the same moment. A database that somehow holds two
live topics with one slug stops the upgrade with their slugs, to be sorted out by hand (retire
one of them by reloading its package without it).

Revision ID: 3f0c9e2b7d41
Revises: da5baf899847
Create Date: 2026-11-29 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import lms.db_types


# revision identifiers, used by Alembic.
revision = '3f0c9e2b7d41'
down_revision = 'da5baf899847'
branch_labels = None
depends_on = None


def upgrade():
    clashes = op.get_bind().execute(sa.text(
        "SELECT slug FROM topics WHERE NOT is_retired GROUP BY slug HAVING count(*) > 1 "
        "ORDER BY slug")).scalars().all()
    if clashes:
        raise RuntimeError(
            "these topic slugs each name more than one live topic, which lesson addresses "
            "cannot tell apart; retire all but one of each, then upgrade again: "
            + ", ".join(clashes))
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index('ux_topics_live_slug', ['slug'], unique=True,
                              sqlite_where=sa.text('is_retired = 0'),
                              postgresql_where=sa.text('NOT is_retired'))


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ux_topics_live_slug', sqlite_where=sa.text('is_retired = 0'),
                            postgresql_where=sa.text('NOT is_retired'))
