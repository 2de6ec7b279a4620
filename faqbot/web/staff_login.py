"""Staff login: one shared staff password, sessions that expire, login attempts rate limited.

Every staff view is wrapped in `login_required`; tests/staff/test_access.py walks every /staff route
to prove anonymous requests are refused.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..storage.accounts import password_matches, stored_password_hash

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

_SIGNED_IN = "staff_signed_in_at"
_SEEN = "staff_seen_at"


def staff_password_hash() -> str | None:
    """Return the staff password hash in force, or None when no password has been set."""
    return stored_password_hash(current_app.config["STAFF_PASSWORD_HASH"], current_app.instance_path)


def is_signed_in() -> bool:
    """Tell whether this browser has a staff session that has not expired."""
    signed_in, seen = session.get(_SIGNED_IN), session.get(_SEEN)
    if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
        return False
    now = time.time()
    idle = current_app.config["STAFF_SESSION_MINUTES"] * 60
    absolute = 12 * 60 * 60  # a working day at most, even when active
    return now - seen <= idle and now - signed_in <= absolute


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous or expired visitors to the login page (403 for anything but a page view)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_in():
            _forget()
            if request.method != "GET":
                return render_template("staff/login.html", expired=True, configured=True), 403
            return redirect(url_for("staff_auth.login", next=request.path))
        session[_SEEN] = time.time()
        return view(*args, **kwargs)

    return wrapped


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
    if not password_matches(password_hash, request.form.get("password", "")):
        current_app.logger.warning("Failed staff login from %s", request.remote_addr)
        return render_template("staff/login.html", configured=True, expired=False, failed=True), 401
    _forget()
    session.clear()  # a fresh session on login: nothing from before carries over
    now = time.time()
    session[_SIGNED_IN] = session[_SEEN] = now
    session.permanent = False
    target = request.args.get("next", "")
    # Only our own staff pages: never an open redirect to another site.
    if not target.startswith("/staff/") or target.startswith("//"):
        target = url_for("staff.entries")
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> Response:
    """End the staff session."""
    _forget()
    flash("You are logged out.", "status")
    return redirect(url_for("staff_auth.login"), 303)


def _forget() -> None:
    session.pop(_SIGNED_IN, None)
    session.pop(_SEEN, None)


def init_app(app: Flask) -> None:
    """Rate limit login attempts more strictly than the chat (the limiter exists per app, so wrap here)."""
    limiter = app.extensions["faqbot.limiter"]
    endpoint = "staff_auth.login_submit"
    limit = limiter.limit(lambda: app.config["STAFF_LOGIN_LIMIT"], methods=["POST"])
    app.view_functions[endpoint] = limit(app.view_functions[endpoint])
