"""Redacting contact details before an unanswered question is kept."""

from __future__ import annotations

import pytest

from faqbot.storage.redaction import redact

CASES = [
    ("email me at jane.doe+teeth@example.co.uk please", "email me at [email] please"),
    ("my number is 07700 900123", "my number is [phone]"),
    ("call +44 (0)20 7946 0958 after 5", "call [phone] after 5"),
    ("ring 555-0100-22 or 555.123.4567", "ring [phone] or [phone]"),
    ("I had surgery on 12/03/2024, is that ok", "I had surgery on [date], is that ok"),
    ("surgery was 3rd of March 2025", "surgery was [date]"),
    ("booked for March 14, 2026", "booked for [date]"),
    ("my NHS number 9434765919", "my NHS number [phone]"),
    ("patient id 12345", "patient id [number]"),
    ("I live at SW1A 1AA", "I live at [postcode]"),
    ("see www.example.com/me", "see [link]"),
    ("how long does healing take in the upper jaw?", "how long does healing take in the upper jaw?"),
    ("is it 3 to 4 months or 6 months", "is it 3 to 4 months or 6 months"),
    ("I'm 75, can I get implants", "I'm 75, can I get implants"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_contact_details_are_redacted(text, expected):
    """Emails, phone numbers, dates, postcodes and long digit runs are replaced; ordinary questions are kept."""
    assert redact(text) == expected


def test_redaction_is_idempotent():
    """Redacting twice changes nothing more."""
    once = redact("mail a@b.com or call 07700 900123 on 1/2/2025")
    assert redact(once) == once
