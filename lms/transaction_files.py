"""Files written for rows of the current transaction, removed again if those rows never land.

A file in the storage folder that a row will name (a certificate's PDF) is written before the
row is committed. If the transaction, or the savepoint the file was written in, then rolls
back (a later step failed, the request crashed, a request at the same moment won a unique
index), no row will ever name the file, and left behind it would be an unlisted copy of
personal data. ``remove_unless_committed`` ties the file to the innermost open transaction:
a savepoint that is released hands its files to the transaction around it, a commit of the
whole transaction keeps them, and any other ending deletes them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from lms.extensions import db

log = logging.getLogger(__name__)

# On ``Session.info``: the files written in each open transaction of the session.
_WRITTEN = "lms.transaction_files.written"


def remove_unless_committed(path: Path) -> None:
    """Delete ``path`` if the current transaction (or savepoint) does not commit.

    Call it right after writing the file, inside the transaction or savepoint whose rows will
    name it.
    """
    session = db.session()
    transaction = _innermost(session) or session.begin()
    session.info.setdefault(_WRITTEN, {}).setdefault(transaction, []).append(path)


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


@event.listens_for(Session, "after_commit")
def _committed(orm_session: Session) -> None:
    written: dict[SessionTransaction, list[Path]] | None = orm_session.info.get(_WRITTEN)
    if not written:
        return
    # The transaction committing is still the innermost one while this hook runs.
    transaction = _innermost(orm_session)
    files = written.pop(transaction, None) if transaction is not None else None
    if files and transaction is not None and transaction.parent is not None:
        # A savepoint's release is not the commit: the transaction around it can still roll
        # back, and its files with it.
        written.setdefault(transaction.parent, []).extend(files)


@event.listens_for(Session, "after_transaction_end")
def _ended(orm_session: Session, transaction: SessionTransaction) -> None:
    written: dict[SessionTransaction, list[Path]] | None = orm_session.info.get(_WRITTEN)
    if not written:
        return
    if transaction.parent is None:
        # The whole transaction is over: whatever a commit did not claim never will be.
        orm_session.info.pop(_WRITTEN, None)
        leftovers = [path for files in written.values() for path in files]
    else:
        leftovers = written.pop(transaction, [])
    for path in leftovers:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            # The rollback itself must go through; an operator can remove the file by hand.
            log.warning("could not remove %s, written for work that was rolled back: %s",
                        path.name, error)
