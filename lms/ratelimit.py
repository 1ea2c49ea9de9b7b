"""Rate limits: a growing delay on guessing passwords, keyed so it cannot be sidestepped.

Counters live in the storage named by RATELIMIT_STORAGE_URI (``memory://`` for one process,
counted by ``lms.ratelimit_memory``; Redis when several workers share them). The client
address is the connecting peer's, unless PROXY_FIX_X_FOR says how many proxies in front may be
trusted to report it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter, RequestLimit
from werkzeug.wrappers import Response

# Imported for what importing does: memory:// then names the platform's own counters.
from lms import ratelimit_memory  # noqa: F401
from lms.extensions import db

limiter = Limiter(key_func=lambda: request.remote_addr or "unknown", default_limits=[])

# Each tier waits longer: a few quick mistakes cost a minute, persistent guessing an hour.
LOGIN_PER_ACCOUNT_AND_ADDRESS = "5 per minute; 10 per 15 minutes; 20 per hour"
LOGIN_PER_ADDRESS = "30 per 15 minutes; 100 per day"
LOGIN_PER_ACCOUNT = "50 per hour"
PASSWORD_LINK_PER_ACCOUNT = "3 per 15 minutes; 10 per day"  # noqa: S105  (a limit, not a secret)
PASSWORD_LINK_PER_ADDRESS = "10 per hour"  # noqa: S105


def init_limiter(app: Flask) -> None:
    """Attach the limiter to ``app``.

    Every limit here is on a view (the ``limit`` decorators below and in the views), and the
    decorator checks it when its view runs. Flask-Limiter also checks, before every request,
    for default, application-wide and blueprint limits; there are none, so that check only
    ever found nothing, at about a twentieth of a lesson page's time. It is left out unless
    such limits are configured (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``).
    """
    limiter.init_app(app)
    manager = limiter.limit_manager
    if not (manager.default_limits or manager.application_limits
            or manager._blueprint_limits):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def normalised_account() -> str:
    """The account name as the throttle sees it: no spaces anywhere, case folded."""
    return "".join((request.form.get("email") or "").split()).casefold()[:254]


def account_key() -> str:
    return "account:" + normalised_account()


def account_and_address_key() -> str:
    return f"account:{normalised_account()}|address:{request.remote_addr}"


def address_key() -> str:
    return f"address:{request.remote_addr}"


def failed_login(response: Response) -> bool:
    return response.status_code == 401


def _record_breach(limit: RequestLimit, account: str | None = None) -> None:
    from lms.audit.services import DENIED, record

    record(None, "rate_limit.exceeded", request.path, DENIED,
           actor_label=normalised_account() if account is None else account,
           limit=str(limit.limit))
    db.session.commit()


def throttle_login(view: Callable[..., Any]) -> Callable[..., Any]:
    """Limit failed logins per account and address, per address, and per account."""
    for limit, key in ((LOGIN_PER_ACCOUNT_AND_ADDRESS, account_and_address_key),
                       (LOGIN_PER_ADDRESS, address_key), (LOGIN_PER_ACCOUNT, account_key)):
        view = limiter.limit(limit, key_func=key, methods=["POST"], deduct_when=failed_login,
                             on_breach=_record_breach)(view)
    return view


def throttle_login_code(account: Callable[[], str]) -> Callable[[Callable[..., Any]], Any]:
    """Limit wrong codes after the password with the tiers of wrong passwords.

    ``account`` names the account whose login waits for its code. Its counters are its own:
    knowing the password buys no more guesses at the code than at the password.
    """
    def account_and_address_key() -> str:
        return f"code:{account()}|address:{request.remote_addr}"

    def account_key() -> str:
        return f"code:{account()}"

    def record_breach(limit: RequestLimit) -> None:
        _record_breach(limit, account())

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        for limit, key in ((LOGIN_PER_ACCOUNT_AND_ADDRESS, account_and_address_key),
                           (LOGIN_PER_ADDRESS, address_key), (LOGIN_PER_ACCOUNT, account_key)):
            view = limiter.limit(limit, key_func=key, methods=["POST"],
                                 deduct_when=failed_login, on_breach=record_breach)(view)
        return view

    return decorator


def throttle_password_links(view: Callable[..., Any]) -> Callable[..., Any]:
    """Limit requests for password links per account and per address."""
    view = limiter.limit(PASSWORD_LINK_PER_ACCOUNT, key_func=account_key, methods=["POST"],
                         on_breach=_record_breach)(view)
    return limiter.limit(PASSWORD_LINK_PER_ADDRESS, key_func=address_key, methods=["POST"],
                         on_breach=_record_breach)(view)
