"""Fitted parameters: small logistic models and their thresholds, read from `fitting/params.json`.

`fitting/fit.py` refits them from the labelled sets in `tests/data/` (see the README's "How matching
works"); the engine only evaluates them, with numpy, so nothing here needs the fitting libraries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class ParamsError(Exception):
    """The fitted-parameters file is missing or does not match the features the engine computes."""


@dataclass(frozen=True)
class LogisticModel:
    """Multinomial (or binary) logistic regression over named features."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, inputs); one row for a binary model
    intercept: np.ndarray
    mean: np.ndarray  # standardisation fitted with the model
    scale: np.ndarray
    embedding: int = 0  # the message's sentence embedding follows the named features as inputs

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str) -> LogisticModel:
        try:
            model = cls(
                features=tuple(data["features"]),
                classes=tuple(data["classes"]),
                coef=np.asarray(data["coef"], dtype=np.float64),
                intercept=np.asarray(data["intercept"], dtype=np.float64),
                mean=np.asarray(data["mean"], dtype=np.float64),
                scale=np.asarray(data["scale"], dtype=np.float64),
                embedding=int(data.get("embedding", 0)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ParamsError(f"model '{name}' is incomplete: {error}") from error
        width = len(model.features) + model.embedding
        if model.coef.shape[-1] != width or model.mean.shape != (width,) or model.scale.shape != (width,):
            raise ParamsError(f"model '{name}' has coefficients that do not fit its {width} inputs")
        return model

    def probabilities(self, values: Mapping[str, float], vector: np.ndarray | None = None) -> dict[str, float]:
        """Return the probability of each class for one row of feature values (and the embedding, if it reads one)."""
        row = np.array([values[f] for f in self.features], dtype=np.float64)
        if self.embedding:
            row = np.concatenate([row, vector if vector is not None else np.zeros(self.embedding)])
        x = (row - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        if len(self.classes) == 2 and logits.shape == (1,):
            p = 1.0 / (1.0 + np.exp(-logits[0]))
            return {self.classes[0]: float(1 - p), self.classes[1]: float(p)}
        exp = np.exp(logits - logits.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist()))


@dataclass(frozen=True)
class FittedParams:
    """Everything `fitting/fit.py` writes: one model per decision, and the thresholds chosen with it."""

    triage: LogisticModel
    answer: LogisticModel  # with the semantic signal
    answer_lexical: LogisticModel  # lexical features only, for SEMANTIC_MATCHING=false
    thresholds: Mapping[str, float]
    lexical_weight: float = 0.5  # share of the lexical score in the ranking, beside semantic similarity
    lookalike: LogisticModel | None = None  # declines look-alike questions (semantic matching only)

    def threshold(self, name: str) -> float:
        return float(self.thresholds[name])


THRESHOLDS = ("urgent", "personal", "personal_note", "answer", "answer_lexical", "clarify", "off_topic", "topic")


def load_params(path: str | Path) -> FittedParams:
    """Read and check the fitted-parameters file; raise ParamsError naming what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ParamsError(f"{path}: fitted parameters not found (run: python fitting/fit.py)") from error
    except (OSError, ValueError) as error:
        raise ParamsError(f"{path}: cannot be read: {error}") from error
    needed = [*THRESHOLDS, "lookalike"] if "lookalike" in data else THRESHOLDS
    missing = [t for t in needed if t not in data.get("thresholds", {})]
    if missing:
        raise ParamsError(f"{path}: thresholds missing: {', '.join(missing)}")
    try:
        return FittedParams(
            triage=LogisticModel.from_dict(data["triage"], "triage"),
            answer=LogisticModel.from_dict(data["answer"], "answer"),
            answer_lexical=LogisticModel.from_dict(data["answer_lexical"], "answer_lexical"),
            thresholds=dict(data["thresholds"]),
            lexical_weight=float(data.get("lexical_weight", 0.5)),
            lookalike=LogisticModel.from_dict(data["lookalike"], "lookalike") if "lookalike" in data else None,
        )
    except KeyError as error:
        raise ParamsError(f"{path}: model {error} is missing") from error
