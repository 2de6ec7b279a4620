"""With and without the semantic signal, side by side in one run: accuracy, reply time, start-up, memory.

    .venv/bin/python bench/semantic.py

Each mode runs in its own process (so memory and start-up are its own). Accuracy is on the held-out
part of our sets and of the shared dev set (fitting/data.py); reply times are the engine's own
(`Assistant.reply`) over those messages, each message new to the query cache; start-up is
`create_app` with a cold and a warm embedding cache; the last column compares one `/api/chat` reply
with one `/api/health` through the Flask test client, in process, as a ratio measured in the same run.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(semantic: bool) -> dict:
    from bench.understanding import evaluate
    from faqbot import create_app
    from fitting.data import dev_set, own_sets, split

    folder = Path(tempfile.mkdtemp(prefix="bench-semantic-"))
    settings = {
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "DATABASE": str(folder / "stats.sqlite"),
        "EMBEDDING_CACHE": str(folder / "embeddings.npz"),
        "SEMANTIC_MATCHING": semantic,
    }
    started = time.perf_counter()
    app = create_app(settings)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    app = create_app(settings)
    warm = time.perf_counter() - started
    assistant = app.extensions["faqbot"]

    _, held_out = split(own_sets() + dev_set())
    figures = evaluate(assistant, held_out)
    times = []
    for n, item in enumerate(held_out):
        started = time.perf_counter()
        assistant.reply(f"{item.q} ({n})")  # the number makes every message new to the query cache
        times.append(time.perf_counter() - started)

    client = app.test_client()
    health, chat = [], []
    for n in range(200):
        started = time.perf_counter()
        client.get("/api/health")
        health.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.post("/api/chat", json={"message": f"how long does an implant take to heal {n}"})
        chat.append(time.perf_counter() - started)
    return {
        "accuracy": figures["accuracy"],
        "wrong": figures["wrong"],
        "helpful": figures["helpful"],
        "urgent recall": figures["urgent recall"],
        "false urgent": figures["false urgent"],
        "median ms": statistics.median(times) * 1000,
        "p99 ms": statistics.quantiles(times, n=100)[98] * 1000,
        "start cold s": cold,
        "start warm s": warm,
        "max RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "chat ms": statistics.median(chat) * 1000,
        "health ms": statistics.median(health) * 1000,
        "chat/health": statistics.median(chat) / statistics.median(health),
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--mode":
        print(json.dumps(measure(sys.argv[2] == "semantic")))
        return 0
    rows = {}
    for mode in ("semantic", "lexical"):
        out = subprocess.run(
            [sys.executable, __file__, "--mode", mode], capture_output=True, text=True, check=True, env=os.environ
        )
        rows[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    keys = list(rows["semantic"])
    print(f"{'':14s}" + "".join(f"{k:>14s}" for k in keys))
    for mode, row in rows.items():
        print(f"{mode:14s}" + "".join(f"{row[k]:14.3f}" if row[k] is not None else f"{'-':>14s}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
