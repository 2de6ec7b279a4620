"""Sentence embeddings from all-MiniLM-L6-v2 with onnxruntime and tokenizers: no torch at run time.

The ONNX graph is built from the model's safetensors weights by faqbot.engine.model_build (or
`python scripts/build_model.py`) and gives the same vectors as sentence-transformers' all-MiniLM-L6-v2
(Transformer -> mean pooling over the attention mask -> L2 normalisation); tests/engine checks that
against stored reference vectors. Files are checked against pinned sha256 values before use, so a
truncated download or an edited file fails loudly instead of silently changing every answer.

Thread safety: onnxruntime's InferenceSession.run() may be called from many threads at once, and the
tokenizer is configured once in __init__ and only read afterwards (mutating it while another thread
encodes is what makes the tokenizers library raise "Already borrowed").
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from threadpoolctl import threadpool_limits
from tokenizers import Encoding, Tokenizer

from .model_build import (
    ONNX_NAME,
    ONNX_SHA256,
    TOKENIZER_NAME,
    TOKENIZER_SHA256,
    ModelError,
    build,
    verify_file,
)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
CACHE_SIZE = 4096  # single queries remembered by encode_one (about 1.6 KB each)
TOKENS_PER_BATCH = 4096  # bounds the padding (and memory) of a batch: 16 texts of 256 tokens
CACHE_MAX_CHARS = 512  # longer texts are not queries: encode them without caching

_build_lock = threading.Lock()


def ensure_model(model_dir: Path | str = DEFAULT_MODEL_DIR) -> Path:
    """Build the ONNX model into model_dir if it is missing; verify its checksum either way; return its path.

    A file that exists but does not match is left alone: ModelError names it and says how to rebuild it.
    """
    model_dir = Path(model_dir)
    onnx_path, tokenizer_path = model_dir / ONNX_NAME, model_dir / TOKENIZER_NAME
    with _build_lock:  # one build per process even if several threads ask at once
        if not onnx_path.exists() or not tokenizer_path.exists():
            build(model_dir)
    verify_file(onnx_path, ONNX_SHA256)
    verify_file(tokenizer_path, TOKENIZER_SHA256)
    return onnx_path


class Encoder:
    """all-MiniLM-L6-v2 sentence encoder: texts in, L2-normalised float32 vectors out."""

    model_sha256: str = ONNX_SHA256

    def __init__(
        self,
        model_dir: Path | str = DEFAULT_MODEL_DIR,
        *,
        intra_op_num_threads: int = 1,
        max_length: int | None = None,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        model_dir = Path(model_dir)
        onnx_path, tokenizer_path = model_dir / ONNX_NAME, model_dir / TOKENIZER_NAME
        verify_file(onnx_path, ONNX_SHA256)
        verify_file(tokenizer_path, TOKENIZER_SHA256)

        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_num_threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # onnxruntime's worker threads spin between the operators of a run (which keeps a run fast) and,
        # by default, for a while after it, on the cores the engine's Python work needs next. Stopping
        # them at the end of each run: chat replies 0.3-0.8 ms faster in three alternating runs of
        # /api/chat, throughput under 32 clients unchanged (bench/load.py).
        options.add_session_config_entry("session.force_spinning_stop", "1")
        # From the path, not from bytes already read: measured 60-90 MB less resident memory.
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        # numpy's BLAS threads, doing the similarity products right after each embedding, competed with
        # onnxruntime's for the same cores: those products took 1-2 ms instead of 0.05 (a reply took
        # 8.9 ms, then 3.6; bench/semantic.py). The engine's products are small: one BLAS thread is enough.
        threadpool_limits(limits=1, user_api="blas")

        metadata = self._session.get_modelmeta().custom_metadata_map
        self.dimension: int = int(metadata["dimension"])
        # sentence-transformers truncates this model at 256 tokens (sentence_bert_config.json), although
        # it was trained on 128 and tokenizer.json says 128; the build stores the value it read.
        limit = int(metadata["max_position_embeddings"])
        self.max_length: int = max_length or int(metadata["max_seq_length"])
        if not 2 <= self.max_length <= limit:
            raise ValueError(f"max_length must be between 2 and {limit}, not {self.max_length}")

        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.no_padding()  # encode() pads each batch to its own longest text
        self._encode_cached = functools.lru_cache(maxsize=cache_size)(self._encode_single)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Vectors [len(texts), dimension], float32, unit length, in the order of texts."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts; use encode_one() for a single text")
        texts = list(texts)
        result = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return result
        encodings = self._tokenizer.encode_batch(texts)
        # Sorted by length, each batch is padded to its last (longest) text. A batch ends when full, when
        # rows x longest would pass TOKENS_PER_BATCH (memory), or when over half of it would be padding
        # (one long text must not make 31 short ones cost 256 tokens each).
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batch: list[int] = []
        tokens = 0
        for index in order:
            size = len(encodings[index].ids)
            padded = (len(batch) + 1) * size
            if batch and (len(batch) >= batch_size or padded > TOKENS_PER_BATCH or padded > 2 * (tokens + size)):
                result[batch] = self._run([encodings[i] for i in batch])
                batch, tokens = [], 0
            batch.append(index)
            tokens += size
        result[batch] = self._run([encodings[i] for i in batch])
        return result

    def encode_one(self, text: str) -> np.ndarray:
        """The vector [dimension] of one text, from a bounded LRU cache for short texts; read-only."""
        if len(text) > CACHE_MAX_CHARS:
            return self._encode_single(text)
        return self._encode_cached(text)

    def cache_info(self) -> Any:
        """functools' (hits, misses, maxsize, currsize) of the encode_one cache."""
        return self._encode_cached.cache_info()

    def _encode_single(self, text: str) -> np.ndarray:
        vector = self._run([self._tokenizer.encode(text)])[0]
        vector.flags.writeable = False  # shared by every caller of encode_one
        return vector

    def _run(self, encodings: list[Encoding]) -> np.ndarray:
        length = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            ids[row, :size] = encoding.ids
            mask[row, :size] = encoding.attention_mask
            types[row, :size] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return self._session.run(["sentence_embedding"], feeds)[0]


__all__ = ["DEFAULT_MODEL_DIR", "Encoder", "ModelError", "ensure_model"]
