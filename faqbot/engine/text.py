"""Text normalisation shared by matching, small talk and the urgent-symptom rules.

Everything a patient types and everything staff write in the knowledge base goes through
`normalize`, so both sides are compared in the  form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " ", "\u2013": " "})

# Expanded  punctuation is dropped, so "won't stop" and "will not stop" read the same.
_CONTRACTIONS = [
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "cannot"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'s\b"), ""),
    # The same words typed without the apostrophe, as on a phone keyboard.
    (re.compile(r"\b(cant)\b"), "cannot"),
    (re.compile(r"\b(wont)\b"), "will not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|should|would|could)nt\b"), r"\1 not"),
    (re.compile(r"\bim\b"), "i am"),
    (re.compile(r"\bive\b"), "i have"),
]
_NOT_WORD = re.compile(r"[^a-z0-9&]+")

# Function words: they carry no topic, so they neither match nor count as unknown. Words that say
# what is asked ("who", "which", "why", "when", "how many", "how often") are deliberately absent:
# "who can have an implant" and "what is an implant" are different questions.
STOPWORDS = frozenset(
    """
    a about am an and any are as at be been being but by can cannot could did do does doing done for
    from get gets getting got had has have having he her hers him his how i if im in into is it its
    itself just me might my myself of on or our ours she should so some than that thats the their
    theirs them then there these they this those to u ur us was we were what whats will with would
    you your yours yourself please pls plz really very also
    """.split()
)

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)  # a message is normalised by analysis, small talk and triage alike
def normalize(text: str) -> str:
    """Lower-case, fold accents and quotes, expand contractions, keep only words and digits."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def words(text: str) -> list[str]:
    """Split normalised text into words."""
    return normalize(text).split()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce a word to its stem so "heals", "healed" and "healing" compare equal."""
    return _stemmer.stemWord(word)


def is_content_word(word: str) -> bool:
    """Tell whether a word can carry the topic of a question."""
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())
