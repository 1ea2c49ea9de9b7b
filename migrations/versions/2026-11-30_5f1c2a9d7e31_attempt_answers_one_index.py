"""attempt answers: one index on attempt_id

The unique index on (attempt_id, question_key) begins with attempt_id and serves every lookup
by attempt, so the index on attempt_id alone only cost a write for each answer submitted.

Revision ID: 5f1c2a9d7e31
Revises: 0e34e6d6e399
Create Date: 2026-11-30 08:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5f1c2a9d7e31'
down_revision = '0e34e6d6e399'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_answers_attempt_id'))


def downgrade():
    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_answers_attempt_id'), ['attempt_id'],
                              unique=False)
