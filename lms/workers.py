"""What gunicorn's master does once for all its workers, and what each new worker does first.

The master loads the platform before it starts any worker (``preload_app`` in
``gunicorn.conf.py``), so a worker, whether one of the first or one replacing a worker that
reached its request count, is a fork that serves at once: nothing to import, no template to
compile. Without this every replacement spent over a second of processor time loading the
platform again, and as workers start together they also reach their count together.
"""

from __future__ import annotations

from flask import Flask

TEMPLATE_SUFFIXES = (".html", ".txt")


def compile_templates(app: Flask) -> int:
    """Compile every page and mail template now and keep them; returns how many.

    Done in the master, the compiled templates are shared by every fork instead of each
    worker compiling its own on first use (about a second for all of them).
    """
    names = [name for name in app.jinja_env.list_templates() if name.endswith(TEMPLATE_SUFFIXES)]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def forget_inherited_connections(app: Flask) -> None:
    """Drop, without closing, any database connection the fork inherited from the master.

    A connection used by two processes at once garbles both. Loading the platform opens none,
    so this normally finds nothing; it keeps forks safe should start-up code ever connect.
    Closing would end the master's connection too, so the fork only forgets its copies.
    """
    # The app's own Flask-SQLAlchemy, so this serves any app gunicorn.conf.py loads.
    extension = app.extensions.get("sqlalchemy")
    if extension is None:
        return
    with app.app_context():
        for engine in extension.engines.values():
            engine.dispose(close=False)
