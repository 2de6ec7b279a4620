"""Cross-validate the answer decision over the whole shared dev set: a steadier figure than the held-out part.

    .venv/bin/python bench/dev_kfold.py [--folds 5] [--repeats 3] [--lexical-only] [--without-lookalike-check]

The held-out part of the dev set is about 65 questions (42 answerable), so one question moves its
helpful share by 0.024. Here every dev question is tested once per repeat, by a model fitted as
fitting/fit.py fits (same features, lexical share, out-of-fold threshold) on our own sets' fitting part
and the other folds of dev; our own held-out messages are never used. Folds are fixed by a hash of
each question, so the figures repeat run to run. It scores the decision on the whole message as
fitting/fit.py does (no triage, small talk or follow-ups); `bench/dev_split.py` runs the real grader.
The held-out part is also scored the same way, as one fold, to compare like with like.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faqbot.engine.decision import LEXICAL_FEATURES, SEMANTIC_FEATURES  # noqa: E402
from fitting.data import dev_set, held_out, lookalike_set, own_sets, split  # noqa: E402
from fitting.fit import (  # noqa: E402
    FittedAnswer,
    answer_examples,
    answer_probabilities,
    assistants,
    fit_answer_on,
    fit_lookalike_on,
    lookalike_probability,
    staff_questions,
)


def fold_of(text: str, folds: int, repeat: int) -> int:
    """The fold a question falls in for one repeat (a hash of its text, salted by the repeat)."""
    normal = " ".join(text.lower().split())
    return int(hashlib.sha256(f"{repeat}:{normal}".encode()).hexdigest()[:8], 16) % folds


def score(examples, train: np.ndarray, test: np.ndarray, lookalikes=None, staff=None) -> tuple[int, int, int, int]:
    """Fit on `train`, decide `test`: (helped, answerable, wrong, messages). With `lookalikes` (the look-alike
    set's examples, and `staff`, the staff test questions') the look-alike check is fitted on the same folds
    and applied too."""
    answer = FittedAnswer(*fit_answer_on(examples, train))
    x, y = (part[test] for part in examples.rows[answer.lexical_weight])
    answered, answerable = answer_probabilities(answer, x) >= answer.threshold, examples.answerable[test]
    if lookalikes is not None:
        check, limit, _ = fit_lookalike_on(examples, train, answer, lookalikes, staff)
        rows = examples.lookalike[answer.lexical_weight][test]
        alike = np.array([lookalike_probability(check, row) for row in rows])
        answered &= alike < limit
    helped, wrong = (answered & (y == 1) & answerable).sum(), (answered & (y == 0)).sum()
    return int(helped), int(answerable.sum()), int(wrong), len(y)


def line(name: str, helped: int, answerable: int, wrong: int, messages: int) -> str:
    return (
        f"{name:28s} helpful {helped / answerable:.3f} ({helped}/{answerable})"
        f"   wrong {wrong / messages:.3f} ({wrong}/{messages})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="reshuffles of the folds")
    parser.add_argument("--lexical-only", action="store_true", help="the SEMANTIC_MATCHING=false configuration")
    parser.add_argument("--without-lookalike-check", action="store_true", help="the answer model alone")
    args = parser.parse_args()
    if args.folds < 2 or args.repeats < 1:
        parser.error("--folds must be at least 2 and --repeats at least 1")
    dev = dev_set()
    if not dev:
        print("../shared/eval/dev.jsonl not found: the shared set must be beside the checkout", file=sys.stderr)
        return 2
    own_fitting, _ = split(own_sets())
    items = own_fitting + dev
    semantic, lexical = assistants()
    assistant = lexical if args.lexical_only else semantic
    features = LEXICAL_FEATURES if args.lexical_only else SEMANTIC_FEATURES
    examples = answer_examples(assistant, items, features)
    lookalikes = staff = None
    if not (args.lexical_only or args.without_lookalike_check):
        alike, _ = split(lookalike_set())
        lookalikes = answer_examples(assistant, alike, features)
        staff = answer_examples(assistant, staff_questions(assistant.knowledge), features)
    is_dev = np.array([i.source == "dev" for i in examples.items])
    print(f"{is_dev.sum()} dev questions that reach matching, {(~is_dev).sum()} of our own (fitting part)")
    totals = np.zeros(4, dtype=int)
    for repeat in range(args.repeats):
        fold = np.array([fold_of(i.q, args.folds, repeat) if d else -1 for i, d in zip(examples.items, is_dev)])
        counts = sum(np.array(score(examples, fold != k, fold == k, lookalikes, staff)) for k in range(args.folds))
        totals += counts
        print(line(f"{args.folds}-fold, repeat {repeat + 1}", *counts))
    print(line(f"{args.folds}-fold, all repeats", *totals))
    in_held_out = np.array([d and held_out(i.q) for i, d in zip(examples.items, is_dev)])
    print(line("held-out part as one fold", *score(examples, ~in_held_out, in_held_out, lookalikes, staff)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
