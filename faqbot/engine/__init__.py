"""The answering engine: knowledge, message analysis, triage, matching, decision and replies.

It takes a message and returns a reply object; it knows nothing of Flask or SQLite, so the web app
and the command line are thin shells around the same engine.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .assistant import Assistant, Settings
from .clinic import Clinic
from .fitted import load_params
from .knowledge import KnowledgeBase
from .loading import load_knowledge

__all__ = ["Assistant", "Clinic", "build_assistant", "load_knowledge", "shared_encoder"]


@functools.lru_cache(maxsize=2)
def shared_encoder(model_dir: str, threads: int = 1):
    """Return one encoder per model folder for the whole process (loading it takes about a second)."""
    from .embedding import Encoder, ensure_model  # onnxruntime loads only when semantic matching is on

    ensure_model(model_dir)
    return Encoder(model_dir, intra_op_num_threads=threads)


def build_assistant(settings: Mapping[str, Any], knowledge: KnowledgeBase | None = None) -> Assistant:
    """Return a ready assistant over `knowledge`, or over the knowledge folder the settings name."""
    clinic = Clinic(
        name=settings["CLINIC_NAME"],
        phone=settings["CLINIC_PHONE"],
        booking_url=settings["CLINIC_BOOKING_URL"],
        emergency_number=settings["EMERGENCY_NUMBER"],
    )
    if knowledge is None:
        knowledge = load_knowledge(settings["KNOWLEDGE_DIR"])
    params = load_params(settings["FITTED_PARAMS"])
    from .embedding_cache import EmbeddingStore

    encoder = shared_encoder(str(settings["MODEL_DIR"]), settings.get("EMBEDDING_THREADS", 1))
    # The command line has no instance folder of Flask's: it shares the project's instance/ by default.
    cache = settings.get("EMBEDDING_CACHE") or Path(__file__).resolve().parents[2] / "instance" / "embeddings.npz"
    return Assistant(
        knowledge,
        clinic,
        params,
        encoder=encoder,
        vectors=EmbeddingStore(cache, encoder).vectors,
        settings=Settings(semantic=settings.get("SEMANTIC_MATCHING", True)),
    )
