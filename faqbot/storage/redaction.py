"""Remove contact details from a patient's message before any of it is stored.

Only used when keeping unanswered questions is switched on (it is off by default). Names cannot be
found reliably by pattern, which is one reason text keeping is opt-in and time-limited.
"""

from __future__ import annotations

import re

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

# Order matters: emails and URLs before phone numbers, dates before loose digit runs.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE), "[email]"),
    (re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), "[link]"),
    (re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b"), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:\s+\d{{2,4}})?\b", re.IGNORECASE), "[date]"),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{2,4}})?\b", re.IGNORECASE), "[date]"),
    # Phone numbers: 7+ digits, optionally with +, spaces, dots, dashes or brackets between them.
    (re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){6,}"), "[phone]"),
    (re.compile(r"\b\d{5,}\b"), "[number]"),
    # UK-style postcodes are address details too.
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"), "[postcode]"),
]
# JSON can carry a lone surrogate (the escape \udfff), which no UTF-8 file, SQLite's included, can store.
_SURROGATE = re.compile("[\ud800-\udfff]")


def redact(text: str) -> str:
    """Return the text with emails, links, phone numbers, dates, postcodes and long numbers replaced.

    Lone surrogates become U+FFFD, so the result can always be stored.
    """
    text = _SURROGATE.sub("\ufffd", text)
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    return text
