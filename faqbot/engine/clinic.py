"""The clinic's contact details, filled into replies from the configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = ("clinic_name", "clinic_phone", "booking_url", "emergency_number")
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
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)


def fill(template: str, clinic: Clinic) -> str:
    """Replace {clinic_name}, {clinic_phone}, {booking_url} and {emergency_number}; leave anything else."""
    values = {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "booking_url": clinic.booking_url,
        "emergency_number": clinic.emergency_number,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
