"""Staff login by name and password, server-side sessions, roles, a growing wait after wrong passwords.

Every staff view is wrapped in `login_required`, or in `permission_required` for what only some roles
may do (faqbot.roles); tests/staff/test_access.py walks every /staff route to prove anonymous requests
are refused. The cookie holds only a random session id; its row in the statistics database
(faqbot.storage.sessions) says whether the session is still open and whose it is, so logging out ends
every copy of the cookie, and so do removing the account or giving it a new password. Without the
database nobody can log in: the login fails closed.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .. import roles
from ..shared import Unavailable
from ..shared.revocations import session_ends
from ..storage import accounts, audit, db, sessions
from ..storage.accounts import Account
from ..storage.engine import DATABASE_ERRORS, describe
from .failed_logins import FailedLogins, counts_for
from .security import client_address

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

_SESSION_ID = "staff_session"  # the cookie's only staff content: the random id of a server-side session
FAILED_LOGINS = "faqbot.failed_logins"  # app.extensions key of this app's FailedLogins
STORE_ERRORS = (*DATABASE_ERRORS, Unavailable)  # the database, or Redis when configured, cannot be reached


def current_account() -> Account | None:
    """Return the account signed in for this request (None outside views behind `login_required`)."""
    return g.get("staff_account")


def may(permission: str) -> bool:
    """Tell whether the signed-in account may do something (templates use it to hide what it cannot)."""
    account = current_account()
    return account is not None and roles.may(account.role, permission)


def signed_in_account() -> Account | None:
    """Return the account of this browser's open staff session, or None (a database or Redis error propagates)."""
    session_id = session.get(_SESSION_ID)
    if not isinstance(session_id, str):
        return None
    id_hash, ends = sessions.digest(session_id), session_ends(current_app)
    return sessions.open_account(
        db.get_db(),
        session_id,
        idle_seconds=current_app.config["STAFF_SESSION_MINUTES"] * 60,
        now=time.time(),
        ended_before=lambda name: ends.ended_before(id_hash, name),
    )


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous or expired visitors to the login page (403 for anything but a page view)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            account = signed_in_account()
        except STORE_ERRORS as error:
            return _unavailable(error)
        if account is None:
            forget_session()
            if request.method != "GET":
                return render_template("staff/login.html", expired=True, configured=True), 403
            return redirect(url_for("staff_auth.login", next=request.path))
        g.staff_account = account
        return view(*args, **kwargs)

    return wrapped


def permission_required(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like `login_required`, and answer 403 with a page saying who may, to an account whose role may not."""
    if permission not in roles.PERMISSIONS:  # a typo fails when the view is defined, not when it is refused
        raise ValueError(f"unknown permission {permission!r}; see faqbot.roles.PERMISSIONS")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if not roles.may(account.role, permission):
                return render_template("staff/forbidden.html", message=roles.refusal(account.role, permission)), 403
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorate


def record_action(action: str, *, detail: str = "", account: str | None = None) -> None:
    """Add a staff action, by the signed-in account (or the one named), to the audit log (a database error
    propagates)."""
    if account is None:
        signed_in = current_account()
        account = signed_in.name if signed_in else ""
    audit.record(db.get_db(), action, account=account, client=client_address(), detail=detail)


@bp.get("/login")
def login() -> tuple[str, int]:
    """Show the login form, or how to create the first account when there is none."""
    try:
        configured = accounts.any_exist(db.get_db())
    except DATABASE_ERRORS as error:
        return _unavailable(error)
    return render_template("staff/login.html", configured=configured, expired=False), 200


@bp.post("/login")
def login_submit() -> Response | tuple[str, int]:
    """Check the name and password and start a staff session."""
    try:
        if not accounts.any_exist(db.get_db()):
            return render_template("staff/login.html", configured=False, expired=False), 403
        return _attempt()
    except STORE_ERRORS as error:  # the database, or the failed-login counts in Redis: fail closed
        return _unavailable(error)


def _attempt() -> Response | tuple[str, int]:
    client, failed_logins = client_address(), current_app.extensions[FAILED_LOGINS]
    wait = failed_logins.wait(client)
    name = accounts.normal_name(request.form.get("name", ""))
    if wait:
        page = render_template("staff/login.html", configured=True, expired=False, wait=wait, name=name)
        return Response(page, 429, {"Retry-After": str(wait)}, mimetype="text/html")
    account = accounts.authenticate(db.get_db(), name, request.form.get("password", ""))
    if account is None:
        wait = failed_logins.failed(client)
        current_app.logger.warning("Failed staff login from %s", client)
        try:
            # The name only if an account has it: an unknown "name" may be a password typed in the wrong box.
            known = accounts.find(db.get_db(), name) is not None
            record_action("login-failed", account=name if known else "")
        except STORE_ERRORS as error:
            current_app.logger.error("Could not record a failed staff login in the audit log: %s", _reason(error))
        page = render_template("staff/login.html", configured=True, expired=False, failed=True, wait=wait, name=name)
        return page, 401
    failed_logins.succeeded(client)
    _end_current_session()  # logging in again in the same browser leaves no older session open
    session_id = sessions.start(db.get_db(), account=account, client=client, now=time.time())
    record_action("login", account=account.name)
    session.clear()  # a fresh session on login: nothing from before carries over
    session[_SESSION_ID] = session_id
    session.permanent = False
    target = request.args.get("next", "")
    # Only our own staff pages, as plain paths: never an open redirect to another site, and never a
    # character (CR, LF, a space) that would break the Location header.
    if not re.fullmatch(r"/staff/[\w/-]*(?:\.csv)?", target, re.ASCII):
        target = url_for("staff.entries")
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> Response:
    """End the staff session, and with it every copy of its cookie."""
    try:
        name = _end_current_session()
        if name is not None:
            record_action("logout", account=name)
        flash("You are logged out.", "status")
    except STORE_ERRORS as error:
        current_app.logger.error("Could not end a staff session: %s", _reason(error))
        minutes = current_app.config["STAFF_SESSION_MINUTES"]
        flash(
            f"You are logged out in this browser. The server could not be reached to end the session "
            f"everywhere; it ends by itself after {minutes} minutes unused.",
            "status",
        )
    forget_session()
    return redirect(url_for("staff_auth.login"), 303)


@bp.post("/sessions/end-all")
@login_required
def end_all_sessions() -> Response:
    """End every staff session, this one included (a lost laptop, a password seen by someone)."""
    try:
        now = time.time()
        ended = sessions.end_all(db.get_db(), idle_seconds=current_app.config["STAFF_SESSION_MINUTES"] * 60, now=now)
        session_ends(current_app).end_all(now)  # also where other processes keep their own sessions
        record_action("end-sessions", detail=f"{ended} open")
    except STORE_ERRORS as error:
        return _unavailable(error)
    forget_session()
    flash(f"Every staff session has ended ({ended}, yours included). Log in again to continue.", "status")
    return redirect(url_for("staff_auth.login"), 303)


def end_sessions_of(name: str) -> int:
    """End every open session of one account, here and (with Redis) in every process; return how many were open."""
    now = time.time()
    idle_seconds = current_app.config["STAFF_SESSION_MINUTES"] * 60
    ended = sessions.end_account(db.get_db(), name, idle_seconds=idle_seconds, now=now)
    session_ends(current_app).end_account(name, now)
    return ended


def _end_current_session() -> str | None:
    """End this browser's server-side session, if it has one; return its account's name if it was open."""
    session_id = session.get(_SESSION_ID)
    if not isinstance(session_id, str):
        return None
    ended = sessions.end(db.get_db(), session_id, now=time.time())
    session_ends(current_app).end(sessions.digest(session_id))  # for processes that do not share the database
    return ended


def forget_session() -> None:
    """Drop the session id from this browser's cookie (its server-side session has ended)."""
    if _SESSION_ID in session:  # only then: touching the session would send a cookie to every visitor
        session.pop(_SESSION_ID)


def _unavailable(error: BaseException) -> tuple[str, int]:
    """Refuse staff access when sessions cannot be checked: failing closed, with a message saying why."""
    current_app.logger.error("Staff sessions unavailable (statistics database or Redis): %s", _reason(error))
    return render_template("staff/login.html", configured=True, expired=False, unavailable=True), 503


def _reason(error: BaseException) -> str:
    """The cause for the log, without a password or anything a request carried."""
    return str(error) if isinstance(error, Unavailable) else describe(error)


def init_app(app: Flask) -> None:
    """Count failed logins per app, guard the login against floods, and let templates ask `may("publish")`."""
    clock, counts = counts_for(app)
    app.extensions[FAILED_LOGINS] = FailedLogins(clock=clock, counts=counts)
    app.add_template_global(may)
    app.add_template_global(current_account)
    limiter = app.extensions["faqbot.limiter"]
    endpoint = "staff_auth.login_submit"
    limit = limiter.limit(
        lambda: app.config["STAFF_LOGIN_LIMIT"],
        methods=["POST"],
        # A client told to wait is answered without a password check, and its Retry-After must be that wait:
        # the limiter would overwrite it with the end of its own one-minute window.
        exempt_when=lambda: _told_to_wait(app),
    )
    app.view_functions[endpoint] = limit(app.view_functions[endpoint])


def _told_to_wait(app: Flask) -> bool:
    try:
        return app.extensions[FAILED_LOGINS].wait(client_address()) > 0
    except Unavailable:
        return False  # the view says why it cannot take the attempt
