"""Staff roles and what each may do: the one place that says who may edit, publish or manage accounts.

An editor drafts and tests answers; a reviewer (the clinical reviewer) signs them off and publishes, and
can do everything an editor can; an administrator manages accounts and can view the workspace, but
neither edits answers nor publishes. Every role may view. No Flask here: the web layer asks `may()`
for each request (faqbot.web.staff_login.permission_required), the command line and templates too.
"""

from __future__ import annotations

ROLES = ("editor", "reviewer", "admin")

# What each role does, as the accounts page and `python -m faqbot staff add --help` say it.
DESCRIPTIONS: dict[str, str] = {
    "editor": "drafts and tests answers",
    "reviewer": "the clinical reviewer: signs off and publishes answers, and can do everything an editor can",
    "admin": "manages accounts; can view the workspace, but neither edit answers nor publish",
}

# Each permission, with the roles that have it and how a refusal names it.
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "view": (ROLES, "view the workspace"),
    "edit": (("editor", "reviewer"), "edit answers"),
    "publish": (("reviewer",), "publish"),
    "accounts": (("admin",), "manage accounts"),
}


def may(role: str, permission: str) -> bool:
    """Tell whether a role has a permission; a role this faqbot does not know has none."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; add it to PERMISSIONS")  # a typo must not open a door
    return role in PERMISSIONS[permission][0]


def refusal(role: str, permission: str) -> str:
    """Say why an account is refused, and who may: "Your account (editor) cannot publish; a reviewer can."."""
    roles, doing = PERMISSIONS[permission]
    return f"Your account ({role}) cannot {doing}; {' or '.join(map(with_article, roles))} can."


def with_article(role: str) -> str:
    """A role as a sentence names one: "an editor", "a reviewer"."""
    return f"{'an' if role[:1] in tuple('aeiou') else 'a'} {role}"
