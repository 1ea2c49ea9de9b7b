"""attempts keep the pass mark they were submitted under

A quiz attempt records the quiz's pass mark when it was submitted (pass_mark), so an essay
graded after the quiz's pass mark changed is judged as its attempt was submitted. Attempts
already submitted take the quiz's pass mark of now, which is what they were judged by so far.

Revision ID: b444790ee802
Revises: 4bab0586f277
Create Date: 2026-11-29 20:44:12.271568

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b444790ee802'
down_revision = '4bab0586f277'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pass_mark', sa.Integer(), nullable=True))
    op.execute("UPDATE quiz_attempts SET pass_mark = (SELECT quizzes.pass_mark FROM quizzes "
               "WHERE quizzes.id = quiz_attempts.quiz_id) WHERE submitted_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('pass_mark')
