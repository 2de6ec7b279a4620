"""The clinic's contact details: filled into reply wording, and offered as contact actions.

A reply's words say what to do ("please call the clinic"); the number and the booking link come
with it once, as actions, which the web page shows as buttons and plain-text channels as lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = ("clinic_name", "clinic_phone", "booking_url", "emergency_number")
ACTION_KINDS = ("call", "book", "emergency")
URGENT_ACTIONS = ("call", "emergency")
DECLINE_ACTIONS = ("call", "book")  # every decline and personal-problem reply: never fewer
# What each action shows, so a reply's wording need not (and should not) spell it out again.
ACTION_PLACEHOLDERS = {"call": "clinic_phone", "book": "booking_url", "emergency": "emergency_number"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Clinic:
    """Who patients should contact; placeholders until the clinic configures its own."""

    name: str = "the clinic"
    phone: str = "+44 20 7946 0000"
    booking_url: str = "https://example.com/book"
    emergency_number: str = "112"

    @property
    def phone_link(self) -> str:
        """Return the phone number as a tel: URL."""
        return _tel(self.phone)

    @property
    def emergency_link(self) -> str:
        """Return the emergency number as a tel: URL."""
        return _tel(self.emergency_number)


def _tel(number: str) -> str:
    return "tel:" + re.sub(r"[^\d+]", "", number)


def fill(template: str, clinic: Clinic) -> str:
    """Replace {clinic_name}, {clinic_phone}, {booking_url} and {emergency_number}; leave anything else."""
    values = {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "booking_url": clinic.booking_url,
        "emergency_number": clinic.emergency_number,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class ContactAction:
    """One way to reach help: a label for a button and where it leads (a tel: or https: URL)."""

    kind: str
    label: str
    href: str

    def as_text(self) -> str:
        """Return the action as one line of plain text, for channels without buttons."""
        return f"{self.label}: {self.href}" if self.kind == "book" else self.label


def contact_actions(clinic: Clinic, kinds: tuple[str, ...], *, urgent: bool = False) -> tuple[ContactAction, ...]:
    """Return the actions of `kinds` (from ACTION_KINDS) with the clinic's details."""
    actions = {
        "call": ContactAction(
            "call", f"Call {clinic.name}{' now' if urgent else ''}: {clinic.phone}", clinic.phone_link
        ),
        "book": ContactAction("book", "Book an appointment", clinic.booking_url),
        "emergency": ContactAction(
            "emergency", f"Emergency services: {clinic.emergency_number}", clinic.emergency_link
        ),
    }
    return tuple(actions[kind] for kind in kinds)
