"""Staff login: one shared staff password, server-side sessions, a growing wait after wrong passwords.

Every staff view is wrapped in `login_required`; tests/staff/test_access.py walks every /staff route
to prove anonymous requests are refused. The cookie holds only a random session id; its row in the
statistics database (faqbot.storage.sessions) says whether the session is still open, so logging out
ends every copy of the cookie. Without the database nobody can log in: the login fails closed.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..shared import Unavailable
from ..shared.revocations import session_ends
from ..storage import audit, db, sessions
from ..storage.accounts import password_matches, stored_password_hash
from ..storage.engine import DATABASE_ERRORS, describe
from .failed_logins import FailedLogins, counts_for
from .security import client_address

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

_SESSION_ID = "staff_session"  # the cookie's only staff content: the random id of a server-side session
FAILED_LOGINS = "faqbot.failed_logins"  # app.extensions key of this app's FailedLogins
STORE_ERRORS = (*DATABASE_ERRORS, Unavailable)  # the database, or Redis when configured, cannot be reached


def staff_password_hash() -> str | None:
    """Return the staff password hash in force, or None when no password has been set."""
    return stored_password_hash(current_app.config["STAFF_PASSWORD_HASH"], current_app.instance_path)


def is_signed_in() -> bool:
    """Tell whether this browser's staff session is still open (a database or Redis error propagates)."""
    session_id, password_hash = session.get(_SESSION_ID), staff_password_hash()
    if not isinstance(session_id, str) or password_hash is None:
        return False
    return sessions.is_open(
        db.get_db(),
        session_id,
        password_hash=password_hash,
        idle_seconds=current_app.config["STAFF_SESSION_MINUTES"] * 60,
        now=time.time(),
        ended_before=session_ends(current_app).ended_before(sessions.digest(session_id)),
    )


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous or expired visitors to the login page (403 for anything but a page view)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            signed_in = is_signed_in()
        except STORE_ERRORS as error:
            return _unavailable(error)
        if not signed_in:
            _forget()
            if request.method != "GET":
                return render_template("staff/login.html", expired=True, configured=True), 403
            return redirect(url_for("staff_auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def record_action(action: str, *, detail: str = "") -> None:
    """Add a staff action, from this request's client, to the audit log (a database error propagates)."""
    audit.record(db.get_db(), action, client=client_address(), detail=detail)


@bp.get("/login")
def login() -> str:
    """Show the login form, or how to set a password when none exists."""
    return render_template("staff/login.html", configured=staff_password_hash() is not None, expired=False)


@bp.post("/login")
def login_submit() -> Response | tuple[str, int]:
    """Check the password and start a staff session."""
    password_hash = staff_password_hash()
    if password_hash is None:
        return render_template("staff/login.html", configured=False, expired=False), 403
    try:
        return _attempt(password_hash)
    except Unavailable as error:  # the failed-login counts (in Redis) cannot be read: fail closed
        return _unavailable(error)


def _attempt(password_hash: str) -> Response | tuple[str, int]:
    client, failed_logins = client_address(), current_app.extensions[FAILED_LOGINS]
    wait = failed_logins.wait(client)
    if wait:
        page = render_template("staff/login.html", configured=True, expired=False, wait=wait)
        return Response(page, 429, {"Retry-After": str(wait)}, mimetype="text/html")
    if not password_matches(password_hash, request.form.get("password", "")):
        wait = failed_logins.failed(client)
        current_app.logger.warning("Failed staff login from %s", client)
        try:
            record_action("login-failed")
        except STORE_ERRORS as error:
            current_app.logger.error("Could not record a failed staff login in the audit log: %s", _reason(error))
        return render_template("staff/login.html", configured=True, expired=False, failed=True, wait=wait), 401
    failed_logins.succeeded(client)
    try:
        _end_current_session()  # logging in again in the same browser leaves no older session open
        session_id = sessions.start(db.get_db(), password_hash=password_hash, client=client, now=time.time())
        record_action("login")
    except STORE_ERRORS as error:
        return _unavailable(error)
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
        if _end_current_session():
            record_action("logout")
        flash("You are logged out.", "status")
    except STORE_ERRORS as error:
        current_app.logger.error("Could not end a staff session: %s", _reason(error))
        minutes = current_app.config["STAFF_SESSION_MINUTES"]
        flash(
            f"You are logged out in this browser. The server could not be reached to end the session "
            f"everywhere; it ends by itself after {minutes} minutes unused.",
            "status",
        )
    _forget()
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
    _forget()
    flash(f"Every staff session has ended ({ended}, yours included). Log in again to continue.", "status")
    return redirect(url_for("staff_auth.login"), 303)


def _end_current_session() -> bool:
    """End this browser's server-side session, if it has one; return whether one was open."""
    session_id = session.get(_SESSION_ID)
    if not isinstance(session_id, str):
        return False
    ended = sessions.end(db.get_db(), session_id, now=time.time())
    session_ends(current_app).end(sessions.digest(session_id))  # for processes that do not share the database
    return ended


def _forget() -> None:
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
    """Count failed logins per app, and guard the login against floods (the limiter exists per app, so wrap here)."""
    clock, counts = counts_for(app)
    app.extensions[FAILED_LOGINS] = FailedLogins(clock=clock, counts=counts)
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
