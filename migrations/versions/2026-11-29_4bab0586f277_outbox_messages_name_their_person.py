"""outbox messages name their person

Each message in the outbox records whom it is about (user_id), also when it went to another
address: the notice of an address change goes to the old one. Anonymisation deletes, and the
personal-data download lists, a person's mail by it. Messages already stored are matched to
the account whose current address they went to; a notice sent to an address the person no
longer has stays unmatched (anonymisation still finds those it can by address).

Revision ID: 4bab0586f277
Revises: 308bcc814a6e
Create Date: 2026-11-29 18:42:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4bab0586f277'
down_revision = '308bcc814a6e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_user_id'), ['user_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_user_id_users'), 'users',
                                    ['user_id'], ['id'], ondelete='SET NULL')
    op.execute(
        "UPDATE outbox_messages SET user_id = "
        "(SELECT users.id FROM users WHERE users.email = outbox_messages.recipient)")


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_user_id_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_user_id'))
        batch_op.drop_column('user_id')
