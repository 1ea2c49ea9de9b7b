"""one make-up per attended day

A day attended in another edition makes up one missed day, not several: a unique constraint
on (user_id, attended_session_id) of make_ups. A database where one attended day already makes
up several days of a person stops the upgrade, naming the make-ups, to be sorted out by hand
(remove all but one of each group from the edition's make-up page).

Revision ID: 308bcc814a6e
Revises: 8c51d0e4f7a2
Create Date: 2026-11-29 18:14:51.386827

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '308bcc814a6e'
down_revision = '8c51d0e4f7a2'
branch_labels = None
depends_on = None


def upgrade():
    reused = op.get_bind().execute(sa.text(
        "SELECT user_id, attended_session_id FROM make_ups "
        "GROUP BY user_id, attended_session_id HAVING count(*) > 1 "
        "ORDER BY user_id, attended_session_id")).all()
    if reused:
        raise RuntimeError(
            "in these make-ups one attended day makes up several missed days of the same "
            "person; keep one make-up per attended day, then upgrade again: "
            + ", ".join(f"user {user} with day {day}" for user, day in reused))
    with op.batch_alter_table('make_ups', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_make_ups_user_id_attended_session_id'),
                                          ['user_id', 'attended_session_id'])


def downgrade():
    with op.batch_alter_table('make_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_make_ups_user_id_attended_session_id'),
                                 type_='unique')
