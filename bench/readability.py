"""How easy the answers are to read: school grade per answer, words, and the jargon each one uses.

Run from the project root:  .venv/bin/python bench/readability.py [--sort]

Per answer: the Flesch-Kincaid grade (from words per sentence and syllables per word), the Coleman-Liau
index (from letters per word instead of syllables, so a second opinion), the word count and the words of
knowledge/jargon.toml it uses; a "!" marks one that the sentence where it first appears does not explain.
The target is grade 6 to 8; tests/test_real_knowledge.py fails above a median of 8 or any answer above 10.
Both formulas only count lengths: a short sentence of wrong words scores well. Read the answers too.

Syllables are counted with pyphen's English hyphenation, as textstat did up to 0.7.8. Its newer
textstat.flesch_kincaid_grade looks words up in NLTK's pronouncing dictionary, which it downloads on first
use: that fails on a machine without internet access (CI), and its figures run about one grade higher.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tomllib
from pathlib import Path

import pyphen
import textstat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faqbot.engine.loading import load_knowledge  # noqa: E402

TARGET = (6, 8)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
HYPHENATOR = pyphen.Pyphen(lang="en_US")


def flesch_kincaid_grade(text: str) -> float:
    """The school grade a text reads at: 0.39 x words per sentence + 11.8 x syllables per word - 15.59."""
    words = textstat.remove_punctuation(text.lower()).split()
    syllables = sum(len(HYPHENATOR.positions(word)) + 1 for word in words)
    return 0.39 * len(words) / textstat.sentence_count(text) + 11.8 * syllables / len(words) - 15.59


def jargon_used(answer: str, terms: list[dict]) -> list[str]:
    """The jargon words in an answer, marked "!" where neither the sentence of first use nor the next explains it."""
    sentences = [s.lower() for s in SENTENCE_END.split(" ".join(answer.split()))]
    used = []
    for term in terms:
        longer = [t["word"] for t in terms if term["word"] in t["word"] and t is not term]
        for number, sentence in enumerate(sentences):
            for other in longer:
                sentence = sentence.replace(other, " ")
            if re.search(r"\b" + re.escape(term["word"]), sentence):
                nearby = " ".join([sentence, *sentences[number + 1 : number + 2]])
                used.append(term["word"] + ("" if any(p in nearby for p in term["explained_by"]) else "!"))
                break
    return used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge", help="the knowledge folder (default: ./knowledge)")
    parser.add_argument("--sort", action="store_true", help="hardest answer first")
    args = parser.parse_args()
    knowledge = load_knowledge(args.knowledge)
    terms = tomllib.loads((Path(args.knowledge) / "jargon.toml").read_text())["term"]
    rows = [
        (
            entry.id,
            flesch_kincaid_grade(entry.answer),
            textstat.coleman_liau_index(entry.answer),
            len(entry.answer.split()),
            jargon_used(entry.answer, terms),
        )
        for entry in knowledge.entries
    ]
    if args.sort:
        rows.sort(key=lambda row: -row[1])
    print(f"{'entry':26s} {'FK grade':>8s} {'C-L':>5s} {'words':>5s}  jargon (! = not explained where first used)")
    for entry_id, grade, coleman, count, jargon in rows:
        print(f"{entry_id:26s} {grade:8.1f} {coleman:5.1f} {count:5d}  {', '.join(jargon)}")
    for name, pick in (("mean", statistics.mean), ("median", statistics.median), ("max", max)):
        figures = [pick([row[i] for row in rows]) for i in (1, 2, 3)]
        print(f"{name:26s} {figures[0]:8.1f} {figures[1]:5.1f} {figures[2]:5.0f}")
    unexplained = sum(word.endswith("!") for row in rows for word in row[4])
    print(f"target: school grade {TARGET[0]}-{TARGET[1]}; {unexplained} jargon words not explained where first used")
    return 0


if __name__ == "__main__":
    sys.exit(main())
