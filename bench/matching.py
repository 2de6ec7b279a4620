"""How the lexical side scales: one reply on the real knowledge base and a generated 10,000-entry one.

Run:  .venv/bin/python bench/matching.py [--queries N]
The engine runs without its sentence encoder here (triage and matching by words only), so the figures
are the cost of keyword and rapidfuzz matching as the knowledge base grows; bench/semantic.py measures
the semantic signal. The difflib baseline is what a plain standard-library matcher costs.
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faqbot.config import PROJECT_ROOT  # noqa: E402
from faqbot.engine.assistant import Assistant, Settings  # noqa: E402
from faqbot.engine.clinic import Clinic  # noqa: E402
from faqbot.engine.fitted import load_params  # noqa: E402
from faqbot.engine.knowledge import Entry, KnowledgeBase  # noqa: E402
from faqbot.engine.loading import load_knowledge  # noqa: E402
from faqbot.engine.text import normalize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def synthetic_knowledge(real: KnowledgeBase, size: int, rng: random.Random) -> KnowledgeBase:
    """Return the real knowledge base grown to `size` entries of generated phrasings."""
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "pel", "dri", "nu", "sek", "gar", "fi", "bo", "zan", "tur"]
    rare = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(30000)})
    common = sorted({w for e in real.entries for p in e.phrasings for w in normalize(p).split()})
    passage = real.entries[0].passage_ids[0]
    entries = list(real.entries)
    for number in range(size - len(entries)):
        topic = rng.sample(rare, 2)

        def phrasing(topic: list[str] = topic) -> str:
            words = rng.sample(common, rng.randint(2, 4)) + [rng.choice(topic)] + rng.sample(rare, 1)
            rng.shuffle(words)
            return " ".join(words)

        entries.append(
            Entry(
                id=f"generated-{number}",
                question=phrasing(),
                alternates=tuple(phrasing() for _ in range(9)),
                answer="generated answer",
                passage_ids=(passage,),
            )
        )
    return replace(real, entries=tuple(entries), uncovered=real.uncovered)


def perturb(text: str, rng: random.Random) -> str:
    """Shuffle a phrasing's words and put a typo in one of them, as a patient might type it."""
    words = text.split()
    rng.shuffle(words)
    long_words = [i for i, w in enumerate(words) if len(w) > 5]
    if long_words:
        i = rng.choice(long_words)
        j = rng.randrange(len(words[i]) - 1)
        words[i] = words[i][:j] + words[i][j + 1] + words[i][j] + words[i][j + 2 :]
    return " ".join(words)


def timings(function, queries: list[str]) -> list[float]:
    """Return the milliseconds each call took."""
    results = []
    for query in queries:
        start = time.perf_counter()
        function(query)
        results.append((time.perf_counter() - start) * 1000)
    return results


def summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return f"{label:34s} median {statistics.median(ordered):8.3f} ms   p99 {p99:8.3f} ms   (n={len(ordered)})"


def difflib_matcher(kb: KnowledgeBase):
    """The baseline: difflib's closest phrasing by SequenceMatcher ratio."""
    phrasings = {normalize(p): e.id for e in kb.entries for p in e.phrasings}
    keys = list(phrasings)
    return lambda q: phrasings.get(next(iter(difflib.get_close_matches(normalize(q), keys, n=1, cutoff=0.0)), ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=400, help="queries per faqbot measurement")
    parser.add_argument("--difflib-queries", type=int, default=20, help="queries for difflib at 10,000 entries")
    args = parser.parse_args()
    rng = random.Random(20261121)
    real = load_knowledge(ROOT / "knowledge")
    clinic = Clinic()
    params = load_params(PROJECT_ROOT / "fitting" / "params.json")

    for label, kb, difflib_count in [
        ("real knowledge base", real, args.queries),
        ("generated 10,000 entries", synthetic_knowledge(real, 10_000, rng), args.difflib_queries),
    ]:
        started = time.perf_counter()
        assistant = Assistant(kb, clinic, params, settings=Settings(semantic=False))
        build = time.perf_counter() - started
        phrasings = [p for e in kb.entries for p in e.alternates]
        queries = [perturb(rng.choice(phrasings), rng) for _ in range(args.queries)]
        timings(assistant.reply, queries[:20])  # warm caches (typo corrections, stems)
        print(
            f"\n{label}: {len(kb.entries)} entries, {sum(len(e.phrasings) for e in kb.entries)} phrasings, "
            f"index built in {build:.2f} s"
        )
        print(summary("faqbot Assistant.reply", timings(assistant.reply, queries)))
        print(summary("difflib.get_close_matches baseline", timings(difflib_matcher(kb), queries[:difflib_count])))


if __name__ == "__main__":
    main()
