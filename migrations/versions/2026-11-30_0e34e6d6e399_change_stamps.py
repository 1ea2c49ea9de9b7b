"""change stamps

One row per participant, and one for what all participants share, whose random value triggers
renew whenever a row of the participant's progress, or of the course and the editions,
changes. A worker serves a participant's home page or lesson it drew a moment ago only while
the stamps it read then are unchanged (lms.progress.stamps).

Revision ID: 0e34e6d6e399
Revises: b444790ee802
Create Date: 2026-11-30 00:05:15.596266

"""
from alembic import op
import sqlalchemy as sa

from lms.progress.stamps import create_statements, drop_statements


# revision identifiers, used by Alembic.
revision = '0e34e6d6e399'
down_revision = 'b444790ee802'
branch_labels = None
depends_on = None

# The tables as they were when this revision was written.
PERSONAL = {
    "enrolments": None,
    "attendance": None,
    "make_ups": None,
    "apologies": None,
    "lesson_completions": None,
    "quiz_attempts": ("user_id", "status", "submitted_at", "passed", "percent", "pass_mark"),
    "certificates": None,
}
SHARED = ("course_packages", "programmes", "modules", "units", "topics", "lessons",
          "unit_topics", "quizzes", "questions", "editions", "in_person_sessions")


def upgrade():
    op.create_table('change_stamps',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stamp', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_change_stamps'))
    )
    for statement in create_statements(op.get_bind().dialect.name, PERSONAL, SHARED):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name, (*PERSONAL, *SHARED)):
        op.execute(statement)
    op.drop_table('change_stamps')
