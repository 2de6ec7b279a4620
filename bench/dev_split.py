"""Run the shared grader on the fitting part and on the held-out part of the dev set, separately.

    .venv/bin/python bench/dev_split.py [--noise typos|lower]

The split is fitting/data.py's (fixed by a hash of each question). Only the held-out figures say how
the assistant does on questions nobody tuned it to; the fitting part is what fitting/fit.py read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fitting.data import SHARED_EVAL, held_out  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", choices=["typos", "lower"])
    args = parser.parse_args()
    grader, dev = SHARED_EVAL / "grade.py", SHARED_EVAL / "dev.jsonl"
    if not dev.exists():
        print(f"{dev} not found: the shared evaluation set must be beside the checkout", file=sys.stderr)
        return 2
    lines = [line for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = Path(tempfile.mkdtemp(prefix="dev-split-"))
    parts = {
        "fitting part": [line for line in lines if not held_out(json.loads(line)["q"])],
        "held-out part": [line for line in lines if held_out(json.loads(line)["q"])],
    }
    for name, part in parts.items():
        path = folder / (name.split()[0] + ".jsonl")
        path.write_text("\n".join(part) + "\n", encoding="utf-8")
        command = [sys.executable, str(grader), str(path)]
        if args.noise:
            command += ["--noise", args.noise]
        if name == "held-out part":
            command += ["--dialogues", str(SHARED_EVAL / "dialogues_dev.jsonl")]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        print(f"== {name}: {len(part)} questions" + (" + dialogues" if name == "held-out part" else ""))
        print("\n".join(result.stdout.strip().splitlines()[-9:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
