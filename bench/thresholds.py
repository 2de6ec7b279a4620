"""Sweep the answer threshold and clarify margin over a labelled question set.

Run from the project root:  .venv/bin/python bench/thresholds.py ../shared/eval/dev.jsonl
Prints accuracy, wrong-answer rate and helpfulness (as ../shared/eval/grade.py defines them) for each
pair of settings, plus how many of tests/data/patient_questions.jsonl meet their expectation, so a
change to `faqbot.engine.assistant.Settings` is chosen from figures, not guessed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faqbot.engine.assistant import Assistant, Settings  # noqa: E402
from faqbot.engine.clinic import Clinic  # noqa: E402
from faqbot.engine.loading import load_knowledge  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", type=Path, help="JSONL with q / expect / topics, graded by grade.py's rules")
    args = parser.parse_args()
    sys.path.insert(0, str(args.labelled.resolve().parent))
    from grade import outcome  # the evaluation's own grading rules

    knowledge = load_knowledge(ROOT / "knowledge")
    items = [json.loads(line) for line in args.labelled.read_text().splitlines() if line.strip()]
    probe_path = ROOT / "tests" / "data" / "patient_questions.jsonl"
    probe = [json.loads(line) for line in probe_path.read_text().splitlines() if line.strip()]
    answerable = [i for i in items if i["expect"] in ("answer", "either")]
    for threshold, margin in itertools.product([0.4, 0.45, 0.5, 0.55, 0.6], [0.0, 0.02, 0.04, 0.08]):
        assistant = Assistant(knowledge, Clinic(), Settings(threshold=threshold, clarify_margin=margin))
        replies = {i["q"]: assistant.reply(i["q"]).to_dict() for i in items}
        results = [outcome(i, replies[i["q"]]) for i in items]
        helped = sum(
            replies[i["q"]]["kind"] == "answer" and outcome(i, replies[i["q"]]) == "correct" for i in answerable
        )
        probe_ok = 0
        for case in probe:
            reply = assistant.reply(case["q"])
            if "expect_kind" in case:
                probe_ok += reply.kind == case["expect_kind"]
            else:
                probe_ok += reply.entry is not None and reply.entry.id == case["expect_id"]
        print(
            f"threshold {threshold:.2f} margin {margin:.2f}: accuracy {results.count('correct') / len(items):.3f} "
            f"wrong {results.count('wrong') / len(items):.3f} helpful {helped / len(answerable):.3f} "
            f"patient_questions {probe_ok}/{len(probe)}"
        )


if __name__ == "__main__":
    main()
