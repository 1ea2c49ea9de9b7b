"""The object checks of every authoring page: the module decides who may touch what.

An unknown object is 404; a module the user does not teach is 403, so an instructor learns
that the page exists but is another module's (module ids are no secret among staff).
"""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user

from lms.courses.authoring.models import LessonVersion
from lms.courses.models import Module, Topic
from lms.courses.permissions import can_edit_module
from lms.extensions import db


def editable_module(module_id: int) -> Module:
    """The module, if the logged-in user may edit it.

    :raises 404: for an unknown or retired module.
    :raises 403: for a module the user is not a module instructor of.
    """
    module = db.session.get(Module, module_id)
    if module is None or module.is_retired:
        abort(404)
    if not can_edit_module(current_user, module):
        abort(403)
    return module


def editable_topic(topic_id: int) -> Topic:
    """The live topic, if the logged-in user may edit its module (404/403 as above)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.is_retired:
        abort(404)
    editable_module(topic.module_id)
    return topic


def editable_version(version_id: int) -> tuple[LessonVersion, Topic]:
    """A lesson version and its topic, if the user may edit the topic's module."""
    version = db.session.get(LessonVersion, version_id)
    if version is None:
        abort(404)
    return version, editable_topic(version.topic_id)


def checked_language(language: str) -> str:
    """One of the platform's languages, or 404."""
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return language
