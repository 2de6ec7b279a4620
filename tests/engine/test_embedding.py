"""The torch-free sentence encoder and its disk cache.

The reference vectors were made by sentence-transformers itself (scripts/make_reference_vectors.py);
the model is built once into models/ by ensure_model, as the app does on first use.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from faqbot.engine.embedding import DEFAULT_MODEL_DIR, Encoder, ModelError, ensure_model
from faqbot.engine.embedding_cache import EmbeddingStore
from faqbot.engine.model_build import ONNX_NAME, TOKENIZER_NAME

REFERENCE = json.loads((Path(__file__).parent.parent / "data" / "embedding_reference.json").read_text("utf-8"))
QUESTIONS = [
    "how long does an implant take to heal",
    "Does it hurt?",
    "How much does an implant cost?",
    "how long does an implant take to heal",  # a repeat is encoded once
    "Le café était très bon",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    ensure_model(DEFAULT_MODEL_DIR)
    return DEFAULT_MODEL_DIR


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> Encoder:
    return Encoder(model_dir)


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.model_sha256 = encoder.model_sha256
        self.dimension = encoder.dimension
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        return self.encoder.encode(texts, batch_size=batch_size)


def test_vectors_match_sentence_transformers(encoder: Encoder) -> None:
    ours = encoder.encode(REFERENCE["sentences"], batch_size=8)
    reference = np.array(REFERENCE["vectors"], dtype=np.float64)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)  # undo the rounding to 6 decimals
    cosines = (ours * reference).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines[worst] >= 0.999, f"cosine {cosines[worst]:.6f} for {REFERENCE['sentences'][worst]!r}"


def test_two_threads_give_the_reference_vectors_too(model_dir: Path) -> None:
    """EMBEDDING_THREADS=2 (the default on two cores) splits the work, not the result."""
    two = Encoder(model_dir, intra_op_num_threads=2)
    reference = np.array(REFERENCE["vectors"], dtype=np.float64)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    cosines = [float(two.encode_one(text) @ ref) for text, ref in zip(REFERENCE["sentences"], reference)]
    assert min(cosines) >= 0.999


def test_numpy_keeps_to_one_blas_thread_beside_the_model(encoder: Encoder) -> None:
    """numpy's BLAS threads competing with onnxruntime's spinning ones made each reply's similarity products
    20-40x slower and the server's throughput under load ten times lower (bench/load.py): one thread."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_rows_are_unit_length_float32_in_input_order(encoder: Encoder) -> None:
    texts = REFERENCE["sentences"]
    vectors = encoder.encode(texts, batch_size=4)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reversed_vectors = encoder.encode(texts[::-1], batch_size=4)
    np.testing.assert_allclose(reversed_vectors[::-1], vectors, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        encoder.encode("one string is not a list of texts")


def test_batch_and_single_encodes_agree(encoder: Encoder) -> None:
    texts = REFERENCE["sentences"]
    batch = encoder.encode(texts)
    for text, row in zip(texts, batch):
        np.testing.assert_allclose(encoder.encode_one(text), row, atol=1e-5)
    hits = encoder.cache_info().hits
    again = encoder.encode_one(texts[0])
    assert encoder.cache_info().hits == hits + 1
    assert not again.flags.writeable  # the cached vector is shared: nobody may change it


def test_encode_one_from_many_threads(encoder: Encoder) -> None:
    texts = [f"question number {i} about implants" for i in range(40)]
    expected = encoder.encode(texts)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(encoder.encode_one, texts * 2))
    np.testing.assert_allclose(np.stack(results), np.concatenate([expected, expected]), atol=1e-5)


def test_tampered_model_is_refused_naming_the_file(model_dir: Path, tmp_path: Path) -> None:
    for name in (ONNX_NAME, TOKENIZER_NAME):
        shutil.copy(model_dir / name, tmp_path / name)
    onnx_path = tmp_path / ONNX_NAME
    data = bytearray(onnx_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    onnx_path.write_bytes(bytes(data))
    with pytest.raises(ModelError) as raised:
        Encoder(tmp_path)
    assert str(onnx_path) in str(raised.value) and "scripts/build_model.py" in str(raised.value)
    with pytest.raises(ModelError, match="altered"):
        ensure_model(tmp_path)  # does not paper over it with a rebuild
    assert onnx_path.read_bytes() == bytes(data)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing.*scripts/build_model\.py"):
        Encoder(tmp_path)


def test_disk_cache_encodes_each_text_once_across_restarts(encoder: Encoder, tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.npz"
    first = CountingEncoder(encoder)
    vectors = EmbeddingStore(path, first).vectors(QUESTIONS)
    assert path.is_file()
    assert sorted(first.encoded) == sorted(set(QUESTIONS))
    np.testing.assert_allclose(vectors, encoder.encode(QUESTIONS), atol=1e-5)

    restarted = CountingEncoder(encoder)
    store = EmbeddingStore(path, restarted)
    np.testing.assert_array_equal(store.vectors(QUESTIONS[::-1]), vectors[::-1])
    assert restarted.encoded == []
    store.vectors([*QUESTIONS, "a new question"])
    assert restarted.encoded == ["a new question"]
    assert len(EmbeddingStore(path, restarted)) == len(set(QUESTIONS)) + 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong shape"])
def test_corrupt_cache_file_is_ignored_and_rewritten(
    encoder: Encoder, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    path = tmp_path / "embeddings.npz"
    EmbeddingStore(path, encoder).vectors(QUESTIONS)
    if damage == "garbage":
        path.write_bytes(b"not a zip file at all" * 50)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        np.savez(path, model=np.array(encoder.model_sha256), keys=np.array(["x"]), vectors=np.zeros((1, 3)))

    counting = CountingEncoder(encoder)
    with caplog.at_level(logging.WARNING, logger="faqbot.engine.embedding_cache"):
        vectors = EmbeddingStore(path, counting).vectors(QUESTIONS)
    assert "embedding cache" in caplog.text and str(path) in caplog.text
    np.testing.assert_allclose(vectors, encoder.encode(QUESTIONS), atol=1e-5)
    assert sorted(counting.encoded) == sorted(set(QUESTIONS))

    after = CountingEncoder(encoder)
    EmbeddingStore(path, after).vectors(QUESTIONS)  # the rewritten file is whole again
    assert after.encoded == []
