"""Find the numbers a text states, so an answer can be checked against its sources."""

from __future__ import annotations

import re

# "one" is left out: in answers it is nearly always a pronoun ("one of the parts").
_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "twice": "2",
    "dozen": "12",
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?%?|\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def numbers_in(text: str) -> set[str]:
    """Return the numbers in a text as digits ("six" and "6" are both "6")."""
    found = set()
    for match in _NUMBER.finditer(text):
        token = match.group(0).lower()
        found.add(_WORDS.get(token, token))
    return found
