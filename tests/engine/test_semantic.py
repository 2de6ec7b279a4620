"""The semantic index answers each question about a message from one product, the same as a plain loop would."""

import numpy as np
import pytest

from faqbot.engine.semantic import SemanticIndex, VectorSpace


@pytest.fixture
def index_and_data():
    rng = np.random.default_rng(3)
    owners = ["b", "a", "c", "a", "b", "a", "d", "a"]  # uneven groups, unsorted, "d" has one text
    vectors = rng.normal(size=(len(owners), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"text {n}" for n in range(len(owners))]
    message = rng.normal(size=8).astype(np.float32)
    message /= np.linalg.norm(message)
    return SemanticIndex(owners, texts, vectors), owners, texts, vectors @ message, message


def test_each_owner_gets_its_closest_text(index_and_data):
    index, owners, texts, sims, message = index_and_data
    similar = index.similar(message)
    assert set(similar) == set(owners)
    for owner, found in similar.items():
        rows = [n for n, o in enumerate(owners) if o == owner]
        best = max(rows, key=lambda n: sims[n])
        assert found.text == texts[best]
        assert found.score == pytest.approx(sims[best])


def test_named_owners_get_the_same_closest_text_as_when_all_are_asked(index_and_data):
    """The engine asks only for the owners a decision can turn on; their figures must not change."""
    index, _, _, _, message = index_and_data
    scores = index.scores(message)
    everyone = scores.similar()
    assert scores.similar(["c", "a", "nobody"]) == {"c": everyone["c"], "a": everyone["a"]}
    assert scores.similar([]) == {}
    assert scores.best_scores() == pytest.approx({o: s.score for o, s in everyone.items()})


def test_support_averages_the_closest_three_or_all_an_owner_has(index_and_data):
    index, owners, _, sims, message = index_and_data
    support = index.support(message, k=3)
    for owner in set(owners):
        own = sorted((sims[n] for n, o in enumerate(owners) if o == owner), reverse=True)
        assert support[owner] == pytest.approx(np.mean(own[:3]))
    assert support["d"] == pytest.approx(sims[owners.index("d")])  # one text: its own similarity


def test_top_mean_pools_the_named_owners_and_ignores_unknown_ones(index_and_data):
    index, owners, _, sims, message = index_and_data
    pooled = sorted((sims[n] for n, o in enumerate(owners) if o in {"b", "c"}), reverse=True)
    assert index.top_mean(message, {"b", "c", "nobody"}, k=2) == pytest.approx(np.mean(pooled[:2]))
    assert index.top_mean(message, {"nobody"}) == 0.0


def test_best_is_the_single_closest_text_of_any_owner(index_and_data):
    index, owners, texts, sims, message = index_and_data
    best = index.scores(message).best()
    top = int(np.argmax(sims))
    assert (best.owner, best.text) == (owners[top], texts[top])


def test_an_empty_index_answers_with_nothing():
    index = SemanticIndex([], [], np.zeros((0, 8), np.float32))
    message = np.ones(8, np.float32) / np.sqrt(8)
    assert index.similar(message) == {} and index.support(message) == {}
    assert index.top_mean(message, {"a"}) == 0.0 and index.scores(message).best() is None


def test_a_closest_text_knows_its_row_and_its_owner():
    """What the drift signal needs: from a match back to that phrasing's own embedding and owner."""
    owners = ["b", "a", "b"]
    vectors = np.eye(3, dtype=np.float32)
    index = SemanticIndex(owners, ["b one", "a one", "b two"], vectors)
    found = index.similar(np.array([0.0, 0.0, 1.0], dtype=np.float32))["b"]
    matrix, rows = index.vectors()
    assert found.text == "b two" and index.owner_of(found.row) == "b"
    assert np.array_equal(matrix[found.row], vectors[2])
    own, own_rows = index.vectors({"b"})
    assert found.row in own_rows and len(own) == 2 and index.owner_of(rows[0]) == "a"


def test_indices_over_one_shared_space_answer_as_indices_of_their_own():
    """The engine keeps every example text once, in one space; an index over some of its rows must give
    the figures an index holding those vectors itself would."""
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(11, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owners = ["b", "a", "c", "a", "b", "a", "d", "a"]
    texts = [f"text {n}" for n in range(len(owners))]
    own = SemanticIndex(owners, texts, vectors[3:])
    space = VectorSpace(vectors)
    shared = SemanticIndex.over(space, owners, texts, range(3, 11))
    other = SemanticIndex.over(space, ["x", "y", "x"], ["e0", "e1", "e2"], [0, 1, 2])
    message = rng.normal(size=8).astype(np.float32)
    message /= np.linalg.norm(message)
    message.flags.writeable = False  # as the encoder gives it: the space may remember its product
    assert other.similar(message)["y"].score == pytest.approx(float(vectors[1] @ message))
    assert shared.similar(message) == own.similar(message)
    assert shared.support(message) == pytest.approx(own.support(message))
    assert shared.top_mean(message, frozenset({"a", "d"}), k=2) == pytest.approx(own.top_mean(message, {"a", "d"}, k=2))
    assert shared.scores(message).best() == own.scores(message).best()


def test_a_vector_that_can_change_is_compared_afresh_each_time():
    """Only the encoder's read-only vectors share a product: a writable one may have changed in between."""
    space = VectorSpace(np.eye(2, dtype=np.float32))
    index = SemanticIndex.over(space, ["a", "b"], ["a", "b"], [0, 1])
    vector = np.array([1.0, 0.0], dtype=np.float32)
    assert index.similar(vector)["a"].score == pytest.approx(1.0)
    vector[:] = [0.0, 1.0]
    assert index.similar(vector)["a"].score == pytest.approx(0.0)
    assert index.similar(vector)["b"].score == pytest.approx(1.0)
