"""two-step keys sealed

The authenticator app's shared key is stored sealed (Fernet, under a key derived from
SECRET_KEY) instead of in the clear, so a copy of the database does not give anyone the codes.
The column grows to hold the sealed form, and every key already stored is sealed, with the
SECRET_KEY of the platform being upgraded. Downgrading opens them again; it stops, naming the
accounts, if a key cannot be opened with the configured SECRET_KEY and its fallbacks.

Revision ID: 8c51d0e4f7a2
Revises: 3f0c9e2b7d41
Create Date: 2026-11-29 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

from lms.auth.sealed_keys import seal, unseal


# revision identifiers, used by Alembic.
revision = '8c51d0e4f7a2'
down_revision = '3f0c9e2b7d41'
branch_labels = None
depends_on = None

users = sa.table('users', sa.column('id', sa.Integer), sa.column('two_step_secret', sa.String))


def _stored_keys():
    return op.get_bind().execute(
        sa.select(users.c.id, users.c.two_step_secret)
        .where(users.c.two_step_secret.is_not(None)).order_by(users.c.id)).all()


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('two_step_secret', existing_type=sa.String(length=32),
                              type_=sa.String(length=255), existing_nullable=True)
    # Every key here is in the clear: a sealed one did not fit the column before.
    for user_id, stored in _stored_keys():
        op.execute(users.update().where(users.c.id == user_id)
                   .values(two_step_secret=seal(stored)))


def downgrade():
    opened = [(user_id, unseal(stored)) for user_id, stored in _stored_keys()]
    unreadable = [str(user_id) for user_id, key in opened if key is None]
    if unreadable:
        raise RuntimeError(
            "the two-step login keys of these accounts cannot be opened with SECRET_KEY or "
            "SECRET_KEY_FALLBACKS, so they cannot be stored in the clear: set the SECRET_KEY "
            "they were sealed with, or reset their two-step login, then downgrade again: "
            "accounts " + ", ".join(unreadable))
    for user_id, key in opened:
        op.execute(users.update().where(users.c.id == user_id).values(two_step_secret=key))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('two_step_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=32), existing_nullable=True)
