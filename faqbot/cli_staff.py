"""The command line's staff accounts: `python -m faqbot staff add|list|remove|set-password|set-role`.

Part of faqbot.cli, in its own file to keep both short. Each command works on the database the settings
name, as the server does, and puts what it changed in the audit log with the client "command line". Bad
input (an unknown role, a name taken or missing, a short password) exits 1 with a message and changes
nothing. Removing an account or giving it a new password ends its sessions, in every process with Redis.
"""

from __future__ import annotations

import getpass
import sys
import time

from .roles import DESCRIPTIONS, ROLES

FIRST_ADMIN = "python -m faqbot staff add NAME --role admin --password-stdin"
_ROLE_HELP = ", ".join(f"{role} ({description})" for role, description in DESCRIPTIONS.items())
_NAME_HELP = "the name to log in with: at most 40 lower-case letters, digits, . - _, first a letter or digit"
_PASSWORD_HELP = "read the password from standard input (one line); at a terminal it is otherwise asked for twice"


def add_commands(commands) -> None:
    """Add `staff` and its actions to the command line's subcommands."""
    staff = commands.add_parser("staff", help="staff accounts: add, list, remove, set-password, set-role")
    actions = staff.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an account (the first one: --role admin)")
    add.add_argument("name", help=_NAME_HELP)
    add.add_argument("--role", required=True, help=f"one of: {_ROLE_HELP}")
    add.add_argument("--password-stdin", action="store_true", help=_PASSWORD_HELP)
    add.set_defaults(run=_add)

    actions.add_parser("list", help="list the accounts, their roles and open sessions").set_defaults(run=_list)

    remove = actions.add_parser("remove", help="remove an account and end its sessions")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)

    password = actions.add_parser("set-password", help="give an account a new password and end its sessions")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help=_PASSWORD_HELP)
    password.set_defaults(run=_set_password)

    role = actions.add_parser("set-role", help="give an account another role")
    role.add_argument("name")
    role.add_argument("role", help=", ".join(ROLES))
    role.set_defaults(run=_set_role)


def _add(args, settings, stdin, stdout) -> int:
    from .storage import accounts

    name = accounts.normal_name(args.name)

    def add(app, connection) -> str:
        if accounts.find(connection, name):  # before the password is typed, not after
            raise accounts.AccountError(f"There is already an account named {name}.")
        accounts.add(connection, name, args.role, _new_password_hash(args, stdin, name))
        _record(connection, "account-added", f"{name}, {args.role}")
        return f"Added {name} as {args.role}. They log in at /staff/login."

    try:  # at once, before the app (and its model) loads
        accounts.check_name(name)
        accounts.check_role(args.role)
    except accounts.AccountError as error:
        return _refused(error)
    return _on_database(settings, add, stdout)


def _list(args, settings, stdin, stdout) -> int:
    from .storage import accounts, sessions

    def show(app, connection) -> str:
        found = accounts.listed(connection)
        if not found:
            return f"No staff accounts yet. Create the first administrator with:\n  {FIRST_ADMIN}"
        idle_seconds = app.config["STAFF_SESSION_MINUTES"] * 60
        open_sessions = sessions.count_open(connection, idle_seconds=idle_seconds, now=time.time())
        rows = [("NAME", "ROLE", "CREATED (UTC)", "PASSWORD SET (UTC)", "OPEN SESSIONS")]
        for account in found:
            created, changed = (stamp[:16].replace("T", " ") for stamp in (account.created, account.password_changed))
            rows.append((account.name, account.role, created, changed, str(open_sessions.get(account.name, 0))))
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)

    return _on_database(settings, show, stdout)


def _remove(args, settings, stdin, stdout) -> int:
    from .storage import accounts

    name = accounts.normal_name(args.name)

    def remove(app, connection) -> str:
        accounts.remove(connection, name)
        ended = _end_sessions_of(app, connection, name)
        _record(connection, "account-removed", f"{name}, {ended} open sessions ended")
        return f"Removed {name}; ended {ended} open staff session(s)."

    return _on_database(settings, remove, stdout)


def _set_password(args, settings, stdin, stdout) -> int:
    from .storage import accounts

    name = accounts.normal_name(args.name)

    def set_password(app, connection) -> str:
        if accounts.find(connection, name) is None:  # before the password is typed, not after
            raise accounts.AccountError(f"There is no account named {name}.")
        accounts.set_password(connection, name, _new_password_hash(args, stdin, name))
        ended = _end_sessions_of(app, connection, name)
        _record(connection, "password-set", f"{name}, {ended} open sessions ended")
        return f"New password set for {name}; ended {ended} open staff session(s)."

    return _on_database(settings, set_password, stdout)


def _set_role(args, settings, stdin, stdout) -> int:
    from .storage import accounts

    name = accounts.normal_name(args.name)

    def set_role(app, connection) -> str:
        before = accounts.find(connection, name)
        accounts.set_role(connection, name, args.role)
        if before.role != args.role:
            _record(connection, "role-changed", f"{name}, {before.role} to {args.role}")
        return f"{name} is now {args.role}."

    try:
        accounts.check_role(args.role)
    except accounts.AccountError as error:
        return _refused(error)
    return _on_database(settings, set_role, stdout)


def _new_password_hash(args, stdin, name: str) -> str:
    """Read the new password (twice at a terminal) and return its hash; AccountError says what is wrong."""
    from .storage.accounts import AccountError, hash_password

    if args.password_stdin or not stdin.isatty():
        password = stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"New password for {name}: ")
        if getpass.getpass("Repeat it: ") != password:
            raise AccountError("The two passwords differ.")
    return hash_password(password)


def _end_sessions_of(app, connection, name: str) -> int:
    """End the account's open sessions, here and (with Redis) in every process; return how many were open."""
    from .shared.revocations import session_ends
    from .storage import sessions

    now = time.time()
    ended = sessions.end_account(connection, name, idle_seconds=app.config["STAFF_SESSION_MINUTES"] * 60, now=now)
    session_ends(app).end_account(name, now)
    return ended


def _record(connection, action: str, detail: str) -> None:
    from .storage import audit

    audit.record(connection, action, account="", client=audit.COMMAND_LINE, detail=detail)


def _on_database(settings, work, stdout) -> int:
    """Run work(app, connection) on the app's database and print the message it returns; 1 after an error."""
    from . import cli
    from .storage import db
    from .storage.accounts import AccountError

    app = cli._web_app(settings)
    try:
        with app.app_context():
            message = work(app, db.get_db())
    except AccountError as error:
        return _refused(error)
    except cli._store_errors() as error:
        print(f"error: the statistics database or Redis cannot be reached: {cli._describe(error)}", file=sys.stderr)
        return 1
    print(message, file=stdout)
    return 0


def _refused(error: Exception) -> int:
    print(f"error: {error} Nothing was changed.", file=sys.stderr)
    return 1
