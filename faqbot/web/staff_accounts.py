"""Staff accounts in the workspace: administrators add people, change roles, set passwords and remove accounts.

Every view needs the "accounts" permission (faqbot.roles: administrators only). Removing an account or
giving it a new password ends its open sessions at once, here and (with Redis) in every process. The
last administrator can be neither removed nor demoted (faqbot.storage.accounts refuses): nobody could
manage accounts any more. Names reach the audit log only after passing accounts.check_name.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import roles
from ..storage import accounts, db, sessions
from ..storage.accounts import Account, AccountError
from .staff_login import current_account, end_sessions_of, forget_session, permission_required, record_action

bp = Blueprint("staff_accounts", __name__, url_prefix="/staff")


@bp.get("/accounts")
@permission_required("accounts")
def index() -> str:
    """List every account with its role and open sessions, and a form to add one."""
    return _listing()


@bp.post("/accounts")
@permission_required("accounts")
def add() -> Response | tuple[str, int]:
    """Add an account with a role and a first password."""
    name, role = accounts.normal_name(request.form.get("name", "")), request.form.get("role", "")
    try:
        accounts.check_name(name)
        accounts.check_role(role)
        accounts.add(db.get_db(), name, role, _new_password_hash())
    except AccountError as error:
        return _listing(error=str(error), name=name, role=role), 400
    record_action("account-added", detail=f"{name}, {role}")
    flash(f"Added {name} as {role}. They log in with that name and password.", "status")
    return redirect(url_for("staff_accounts.index"), 303)


@bp.get("/accounts/<name>")
@permission_required("accounts")
def account(name: str) -> str:
    """Show one account, with forms to change its role, set a new password or remove it."""
    return _account_page(_found(name))


@bp.post("/accounts/<name>/role")
@permission_required("accounts")
def change_role(name: str) -> Response | tuple[str, int]:
    """Give an account another role (it applies from the account's next request)."""
    found, role = _found(name), request.form.get("role", "")
    try:
        accounts.set_role(db.get_db(), found.name, role)
    except AccountError as error:
        return _account_page(found, error=str(error)), 400
    if role != found.role:
        record_action("role-changed", detail=f"{found.name}, {found.role} to {role}")
    flash(f"{found.name} is now {roles.with_article(role)}.", "status")
    return redirect(url_for("staff_accounts.account", name=found.name), 303)


@bp.post("/accounts/<name>/password")
@permission_required("accounts")
def set_password(name: str) -> Response | tuple[str, int]:
    """Give an account a new password, ending its open sessions."""
    found = _found(name)
    try:
        accounts.set_password(db.get_db(), found.name, _new_password_hash())
    except AccountError as error:
        return _account_page(found, error=str(error)), 400
    ended = end_sessions_of(found.name)
    record_action("password-set", detail=f"{found.name}, {ended} open sessions ended")
    if found.name == current_account().name:
        forget_session()
        flash("Your password is changed. Log in with the new one.", "status")
        return redirect(url_for("staff_auth.login"), 303)
    flash(f"New password set for {found.name}; {_sessions(ended)} ended.", "status")
    return redirect(url_for("staff_accounts.account", name=found.name), 303)


@bp.get("/accounts/<name>/remove")
@permission_required("accounts")
def confirm_removal(name: str) -> str:
    """Ask before removing an account."""
    found = _found(name)
    return render_template("staff/account_remove.html", account=found, open_sessions=_open_sessions(found.name))


@bp.post("/accounts/<name>/remove")
@permission_required("accounts")
def remove(name: str) -> Response | tuple[str, int]:
    """Remove an account, ending its open sessions; never the last administrator."""
    found = _found(name)
    try:
        accounts.remove(db.get_db(), found.name)
    except AccountError as error:
        page = render_template(
            "staff/account_remove.html", account=found, open_sessions=_open_sessions(found.name), error=str(error)
        )
        return page, 400
    ended = end_sessions_of(found.name)
    record_action("account-removed", detail=f"{found.name}, {ended} open sessions ended")
    if found.name == current_account().name:
        forget_session()
        flash("Your account is removed, and you are logged out.", "status")
        return redirect(url_for("staff_auth.login"), 303)
    flash(f"Removed {found.name}; {_sessions(ended)} ended.", "status")
    return redirect(url_for("staff_accounts.index"), 303)


def _new_password_hash() -> str:
    """The hash of the password typed twice in the form; AccountError says what is wrong with it."""
    password = request.form.get("password", "")
    if password != request.form.get("repeat", ""):
        raise AccountError("The two passwords differ. Type the same password twice.")
    return accounts.hash_password(password)


def _found(name: str) -> Account:
    return accounts.find(db.get_db(), name) or abort(404)


def _listing(*, error: str = "", name: str = "", role: str = "editor") -> str:
    return render_template(
        "staff/accounts.html",
        accounts=accounts.listed(db.get_db()),
        open_sessions=_open_sessions(),
        roles=roles.DESCRIPTIONS,
        error=error,
        name=name,
        role=role,
    )


def _account_page(found: Account, *, error: str = "") -> str:
    return render_template(
        "staff/account.html",
        account=found,
        open_sessions=_open_sessions(found.name),
        roles=roles.DESCRIPTIONS,
        error=error,
    )


def _open_sessions(name: str | None = None):
    """Open sessions by account name, or of one account."""
    idle_seconds = current_app.config["STAFF_SESSION_MINUTES"] * 60
    counts = sessions.count_open(db.get_db(), idle_seconds=idle_seconds, now=time.time())
    return counts if name is None else counts.get(name, 0)


def _sessions(count: int) -> str:
    return f"{count} open {'session' if count == 1 else 'sessions'}"
