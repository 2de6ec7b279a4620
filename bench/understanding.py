"""How well the assistant understands: our own labelled sets and the shared dev set, fitting part and held-out part.

    .venv/bin/python bench/understanding.py                 # every part, with and without the semantic signal
    .venv/bin/python bench/understanding.py --part fit --show 20   # list misses of the fitting part only

Only the fitting part may be looked at to change anything; the held-out part is for reporting. The
probes are never fitted on: fresh messages written after a fit (tests/data/probes.jsonl), a second
held-out set in wording the labelled sets' authors had not yet used, and questions in the register of
clinic FAQ pages (tests/data/faq_style.jsonl).
Figures per set: urgent recall, false urgent (urgent replies to anything that is not urgent or personal),
symptom reports (urgent or personal) that got an FAQ answer, right and wrong answers, helpful (questions
with a known right answer that got it).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faqbot import config  # noqa: E402
from faqbot.engine import build_assistant  # noqa: E402
from fitting.data import Item, dev_set, lookalike_set, own_sets, probe_set, split  # noqa: E402


def outcome(item: Item, reply) -> str:
    """What the reply was, relative to the label: right, wrong, missed-urgent, false-urgent, declined, clarify..."""
    kind = reply.kind
    if item.triage in ("urgent", "personal"):
        if kind == "answer":
            return "wrong"  # a symptom report got an FAQ answer: the worst failure
        if kind == "urgent" or (kind == "fallback" and item.triage == "personal"):
            return "right"
        return "missed-urgent" if item.triage == "urgent" else "missed-personal"
    if kind == "urgent":
        return "false-urgent"
    if kind == "answer":
        right = item.answered_by(reply.entry.id, reply.text)
        if right is not None:
            return "right" if right else "wrong"
        return "wrong" if item.expect in ("decline", "smalltalk") else "answered"
    if kind == "smalltalk":
        return "right" if item.expect == "smalltalk" else "smalltalk"
    if kind == "clarify":
        return "clarify"
    if item.expect in ("decline", "either"):
        return "right"
    return "declined"


def evaluate(assistant, items: list[Item], show: int = 0) -> dict:
    """Reply to every item; return the tally of outcomes and the headline figures."""
    tally: dict[str, int] = defaultdict(int)
    shown = 0
    helped = answerable = 0
    for item in items:
        reply = assistant.reply(item.q)
        result = outcome(item, reply)
        tally[result] += 1
        if item.triage == "question" and item.expect in ("answer", "either") and item.labelled:
            answerable += 1
            helped += result == "right" and reply.kind == "answer"
        if result not in ("right", "answered") and shown < show:
            shown += 1
            got = reply.entry.id if reply.entry else ""
            print(
                f"    {result:15s} {item.expect:9s} {item.entry_id or '':18s} {item.q[:70]!r:72s} -> "
                f"{reply.kind} {got} | {reply.reason[:90]}"
            )
    urgent = sum(1 for i in items if i.triage == "urgent")
    calm = sum(1 for i in items if i.triage == "question")
    return {
        "n": len(items),
        "accuracy": tally["right"] / len(items),
        "wrong": tally["wrong"] / len(items),
        "helpful": helped / answerable if answerable else None,
        "urgent recall": 1 - tally["missed-urgent"] / urgent if urgent else None,
        "false urgent": tally["false-urgent"] / calm if calm else None,
        "tally": dict(tally),
    }


def _fmt(value) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["fit", "held-out", "probes", "all"], default="all")
    parser.add_argument("--show", type=int, default=0, help="list this many misses per set")
    parser.add_argument("--lexical-only", action="store_true")
    parser.add_argument("--by-class", action="store_true", help="also one line per class of probes.jsonl")
    args = parser.parse_args()
    settings = config.defaults()
    modes = [False] if args.lexical_only else [True, False]
    fit, held = split(own_sets() + lookalike_set() + dev_set())
    parts = {"fit": fit, "held-out": held, "probes": probe_set()}
    for semantic in modes:
        assistant = build_assistant({**settings, "SEMANTIC_MATCHING": semantic})
        for name, items in parts.items():
            if args.part not in (name, "all"):
                continue
            groups = [(s, [i for i in items if i.source == s]) for s in sorted({i.source for i in items})]
            if args.by_class:
                classes = sorted({i.group for i in items if i.group})
                groups += [(c, [i for i in items if i.group == c]) for c in classes]
            for source, subset in groups:
                f = evaluate(assistant, subset, args.show)
                print(
                    f"{'semantic' if semantic else 'lexical '} {name:8s} {source:17s} n={f['n']:4d} "
                    f"acc {_fmt(f['accuracy'])} wrong {_fmt(f['wrong'])} helpful {_fmt(f['helpful'])} "
                    f"urgent-recall {_fmt(f['urgent recall'])} false-urgent {_fmt(f['false urgent'])} {f['tally']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
