"""A reviewer's aid: which passage does each sentence of an answer rest on, and does the entry cite it?

Run from the project root:  .venv/bin/python bench/citations.py [--entry ID] [--low 70]

For every answer sentence (and clause after ";" or ":") it prints the best-matching passage of all sources
by word overlap: rapidfuzz's token_set_ratio on stemmed content words after the knowledge base's synonyms
("stitches" meets "sutures"), so a sentence whose words all appear in a passage scores 100. A sentence is
scored with and without its brackets, which mostly hold plain-word explanations ("(numbing)"), and keeps
the better score. It flags a sentence whose best passage is not cited (NOT CITED) or that no passage
matches well (LOW), and lists cited passages that no sentence matches best (UNUSED).

Word overlap is only a hint. A paraphrase, or a sentence about what the sources do not say ("ask the
clinic"), scores low; a wrong sentence made of the passage's words scores high; a fact inside brackets can
hide. Read every answer against its passages yourself; the flags say where to look first.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faqbot.engine.analysis import Analyzer  # noqa: E402
from faqbot.engine.loading import load_knowledge  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")  # clauses after ";" and ":" often rest on another passage
BRACKETS = re.compile(r"\s*\([^)]*\)")


def sentences(answer: str) -> list[str]:
    """The answer split into sentences and clauses."""
    return [s for s in SENTENCE_END.split(" ".join(answer.split())) if s]


def review(knowledge, entry, low: int, content) -> tuple[list[tuple[str, str, float, str]], list[str]]:
    """Return (sentence, best passage id, score, flag) rows and the cited passage ids no sentence matched best."""
    passages = {p.id: content(p.text) for d in knowledge.documents for p in d.passages}
    rows, best_ids = [], set()
    for sentence in sentences(entry.answer):
        variants = {content(sentence), content(BRACKETS.sub("", sentence))}
        scored = {pid: max(fuzz.token_set_ratio(v, text) for v in variants) for pid, text in passages.items()}
        best = max(scored, key=lambda pid: (scored[pid], pid in entry.passage_ids))  # a tie goes to a cited one
        best_ids.add(best)
        flag = "LOW" if scored[best] < low else "NOT CITED" if best not in entry.passage_ids else ""
        rows.append((sentence, best, scored[best], flag))
    return rows, [pid for pid in entry.passage_ids if pid not in best_ids]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry", help="review this entry only")
    parser.add_argument("--low", type=int, default=70, help="flag a sentence whose best score is below this")
    parser.add_argument("--quiet", action="store_true", help="print the summary table only")
    args = parser.parse_args()
    knowledge = load_knowledge(ROOT / "knowledge")
    texts = [p.text for d in knowledge.documents for p in d.passages] + [e.answer for e in knowledge.entries]
    analyzer = Analyzer(knowledge.synonyms, texts)  # every word known: synonyms apply, no typo is "corrected"

    def content(text: str) -> str:
        return " ".join(analyzer.terms(text))

    summary = []
    for entry in knowledge.entries:
        if args.entry and entry.id != args.entry:
            continue
        rows, unused = review(knowledge, entry, args.low, content)
        flags = [flag for *_, flag in rows]
        summary.append((entry.id, len(rows), flags.count("NOT CITED"), flags.count("LOW"), len(unused)))
        if args.quiet:
            continue
        print(f"\n{entry.id}  cites {', '.join(entry.passage_ids)}")
        for sentence, best, score, flag in rows:
            print(f"  {score:5.1f} {best:28s} {flag:9s} {sentence}")
        for pid in unused:
            print(f"        {pid:28s} UNUSED    (cited, but no sentence matches it best: still needed?)")
    print(f"\n{'entry':26s} {'sentences':>9s} {'not cited':>9s} {'low':>4s} {'unused':>6s}")
    for row in summary:
        print(f"{row[0]:26s} {row[1]:9d} {row[2]:9d} {row[3]:4d} {row[4]:6d}")
    totals = [sum(r[i] for r in summary) for i in range(1, 5)]
    print(f"{'total':26s} {totals[0]:9d} {totals[1]:9d} {totals[2]:4d} {totals[3]:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
