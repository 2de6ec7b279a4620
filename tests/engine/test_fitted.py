"""The fitted-parameters file: read with clear errors, and its models evaluate as logistic regressions."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from faqbot.engine.fitted import LogisticModel, ParamsError, load_params


def _model(features=("a", "b"), classes=("wrong", "right"), coef=((1.0, -2.0),), **extra) -> dict:
    width = len(features)
    return {"features": list(features), "classes": list(classes), "coef": [list(c) for c in coef],
            "intercept": [0.5] * len(coef), "mean": [0.0] * width, "scale": [1.0] * width, **extra}  # fmt: skip


def _write(tmp_path, **overrides) -> str:
    data = {
        "thresholds": dict.fromkeys(
            ("urgent", "personal", "personal_note", "answer", "answer_lexical", "clarify", "off_topic", "topic"), 0.5
        ),
        "triage": _model(classes=("question", "personal", "urgent"), coef=((0, 0), (0, 0), (1, 1))),
        "answer": _model(),
        "answer_lexical": _model(),
        **overrides,
    }
    path = tmp_path / "params.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_a_binary_model_is_a_logistic_function():
    """p(right) = sigmoid(coef . standardised features + intercept)."""
    model = LogisticModel.from_dict(_model(), "answer")
    p = model.probabilities({"a": 2.0, "b": 0.5})["right"]
    assert p == pytest.approx(1 / (1 + math.exp(-(2.0 - 1.0 + 0.5))))


def test_a_model_that_reads_the_embedding_appends_it_to_its_features():
    """The triage model's inputs are its named features followed by the sentence vector."""
    data = _model(coef=((1.0, 0.0, 3.0),), embedding=1)
    data["mean"], data["scale"] = [0.0] * 3, [1.0] * 3
    model = LogisticModel.from_dict(data, "triage")
    assert model.probabilities({"a": 0.0, "b": 0.0}, np.array([1.0]))["right"] == pytest.approx(
        1 / (1 + math.exp(-3.5))
    )


def test_missing_file_says_how_to_make_it(tmp_path):
    """A missing file names itself and the script that writes it."""
    with pytest.raises(ParamsError, match=r"params.json: fitted parameters not found \(run: python fitting/fit.py\)"):
        load_params(tmp_path / "params.json")


def test_coefficients_that_do_not_fit_the_features_are_refused(tmp_path):
    """A model whose coefficients do not match its feature list is an error, not a silent wrong answer."""
    path = _write(tmp_path, answer=_model(coef=((1.0, 2.0, 3.0),)))
    with pytest.raises(ParamsError, match="model 'answer' has coefficients that do not fit its 2 inputs"):
        load_params(path)


def test_a_missing_threshold_is_named(tmp_path):
    """Every threshold the engine reads must be in the file."""
    path = _write(tmp_path, thresholds={"urgent": 0.5})
    with pytest.raises(ParamsError, match="thresholds missing: personal, personal_note, answer"):
        load_params(path)


def test_the_project_parameters_load():
    """fitting/params.json, as committed, is complete."""
    from faqbot.config import PROJECT_ROOT

    params = load_params(PROJECT_ROOT / "fitting" / "params.json")
    assert 0 < params.threshold("answer") < 1 and 0 < params.threshold("urgent") < 1


def test_parameters_without_a_lookalike_check_load_without_one(tmp_path):
    """A file written before the look-alike check existed still loads; nothing is declined by a check it lacks."""
    assert load_params(_write(tmp_path)).lookalike is None


def test_a_lookalike_check_needs_its_threshold(tmp_path):
    """The look-alike model without its threshold is refused by name, not run against a default."""
    path = _write(tmp_path, lookalike=_model(classes=("answer", "lookalike")))
    with pytest.raises(ParamsError, match="thresholds missing: lookalike"):
        load_params(path)


def test_the_project_parameters_have_a_lookalike_check():
    from faqbot.config import PROJECT_ROOT

    params = load_params(PROJECT_ROOT / "fitting" / "params.json")
    assert params.lookalike is not None and params.lookalike.classes[-1] == "lookalike"
    assert 0 < params.threshold("lookalike") < 1
