"""The drift signal: how a message departs from its closest phrasing (toward an uncovered topic, from the answer)."""

import numpy as np
import pytest

from faqbot.engine.drift import Drift
from faqbot.engine.semantic import SemanticIndex


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def drift():
    # Axes: 0 = what a healing abutment is, 1 = materials (a topic the sources do not cover), 2 = the answer's wording.
    phrasings = SemanticIndex(
        ["healing-abutment", "not-covered:materials"],
        ["what is a healing abutment", "what is it made of"],
        np.stack([unit(1, 0, 0.3), unit(0, 1, 0)]),
    )
    answers = SemanticIndex(["healing-abutment"], ["A healing abutment is ..."], np.stack([unit(0.5, 0, 1)]))
    return Drift(phrasings, answers, {"not-covered:materials"}), phrasings, answers


def _drifts(drift, message):
    check, phrasings, answers = drift
    row = phrasings.similar(message)["healing-abutment"].row
    answer = answers.similar(message)["healing-abutment"].score
    return check.uncovered(check.topics(phrasings.scores(message)), [row])[0], check.answer(answer, row)


def test_the_phrasing_itself_does_not_drift(drift):
    assert _drifts(drift, unit(1, 0, 0.3)) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_an_added_aspect_drifts_toward_the_uncovered_topic_and_away_from_the_answer(drift):
    """'what is a healing abutment made of?': close to the phrasing, nearer materials, farther from the answer."""
    uncovered, answer = _drifts(drift, unit(1, 0.6, 0.1))
    assert uncovered > 0.3 and answer < 0


def test_no_uncovered_topics_means_no_uncovered_drift():
    phrasings = SemanticIndex(["a"], ["x"], np.stack([unit(1, 0)]))
    answers = SemanticIndex(["a"], ["y"], np.stack([unit(1, 1)]))
    check = Drift(phrasings, answers, set())
    assert check.uncovered(check.topics(phrasings.scores(unit(0, 1))), [0]) == [0.0]


def test_several_phrasings_at_once_drift_as_each_alone(drift):
    """The engine asks for every entry's closest phrasing in one call; each figure is that phrasing's own."""
    check, phrasings, _ = drift
    topics = check.topics(phrasings.scores(unit(1, 0.6, 0.1)))
    alone = [check.uncovered(topics, [0])[0], check.uncovered(topics, [1])[0]]
    assert check.uncovered(topics, [0, 1, 0]) == pytest.approx([alone[0], alone[1], alone[0]], abs=1e-6)
    # The materials phrasing is the uncovered topic itself: the message is less near it than it is to itself.
    assert alone[0] > 0.3 and alone[1] < 0
