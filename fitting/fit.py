"""Refit the triage and answer models and choose their thresholds; write fitting/params.json.

    .venv/bin/python fitting/fit.py            # fit on the fitting part, print figures, write params.json
    .venv/bin/python fitting/fit.py --check    # refit and fail if params.json differs (CI-style check)

Reads the fitting part only (fitting/data.py holds the fixed split): our own sets in tests/data/ and,
when ../shared is beside the checkout, the fitting part of the shared dev set. Run it after changing
the knowledge base's examples, entries or the features in faqbot/engine/triage.py or decision.py.
Needs scikit-learn (a development dependency; the engine only evaluates the result with numpy).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faqbot import config  # noqa: E402
from faqbot.engine import Clinic, load_knowledge, shared_encoder  # noqa: E402
from faqbot.engine.assistant import Assistant, Settings  # noqa: E402
from faqbot.engine.decision import LEXICAL_FEATURES, LOOKALIKE_FEATURES, SEMANTIC_FEATURES, rank  # noqa: E402
from faqbot.engine.fitted import FittedParams, LogisticModel  # noqa: E402
from faqbot.engine.triage import FEATURES as TRIAGE_FEATURES  # noqa: E402
from fitting.data import Item, dev_set, lookalike_set, own_sets, split  # noqa: E402

PARAMS = Path(__file__).resolve().parent / "params.json"
TRIAGE_CLASSES = ("question", "personal", "urgent")
TRIAGE_C = 0.03  # strong regularisation: 384 embedding inputs and a few hundred examples per class
URGENT_RECALL = 0.99  # share of the fitting part's urgent messages the urgent threshold keeps
# The threshold sits this far below the last urgent message it keeps, not on it: a new message about
# as likely as that one is urgent too, and adding examples moves the threshold less across messages.
URGENT_MARGIN = 0.8
MAX_HELD_BACK = 0.02  # share of implant questions that may get "please contact the clinic" instead of an answer
# Share of implant questions whose answer may end with "if this is about a problem you have now, call the
# clinic" (held back ones included): a symptom report that reads like a question still learns where help is.
MAX_NOTED = 0.05
WRONG_COST = 4  # one wrong answer costs as much as this many right answers are worth
BOOTSTRAP_ROUNDS = 200  # resamples behind the answer threshold
FOLD_REPEATS = 10  # shuffles of the folds behind the answer model's out-of-fold probabilities
LEXICAL_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
# The look-alike check may decline at most this share of the right answers (out of fold, fitting part): the
# declined entry is still offered as the first suggestion, so a right answer lost costs the patient a click.
MAX_LOOKALIKE_LOSS = 0.02
LOOKALIKE_C = 0.01  # a few hundred answers, five features and the message's 384-number embedding
STAFF_MARGIN = 0.005  # how far below the threshold the staff test question likeliest to be declined stays
# Not fitted (they change the wording of a decline, or offer a choice, not whether to answer).
FIXED = {"clarify": 0.35, "topic": 0.62, "off_topic": 0.35}


def _model(features, classes, coef=None, intercept=None, mean=None, scale=None, embedding=0) -> LogisticModel:
    rows = 1 if len(classes) == 2 else len(classes)
    width = len(features) + embedding
    return LogisticModel(
        tuple(features),
        tuple(classes),
        np.zeros((rows, width)) if coef is None else coef,
        np.zeros(rows) if intercept is None else intercept,
        np.zeros(width) if mean is None else mean,
        np.ones(width) if scale is None else scale,
        embedding,
    )


def placeholder(dimension: int = 384) -> FittedParams:
    """Parameters that compute every feature but decide nothing: for extracting features to fit."""
    return FittedParams(
        triage=_model(TRIAGE_FEATURES, TRIAGE_CLASSES, embedding=dimension),
        answer=_model(SEMANTIC_FEATURES, ("wrong", "right")),
        answer_lexical=_model(LEXICAL_FEATURES, ("wrong", "right")),
        thresholds={"urgent": 2, "personal": 2, "personal_note": 2, "answer": 2, "answer_lexical": 2, **FIXED},
    )


def assistants() -> tuple[Assistant, Assistant]:
    settings = config.defaults()
    knowledge = load_knowledge(settings["KNOWLEDGE_DIR"])
    encoder = shared_encoder(settings["MODEL_DIR"], settings["EMBEDDING_THREADS"])
    semantic = Assistant(knowledge, Clinic(), placeholder(encoder.dimension), encoder=encoder)
    lexical = Assistant(
        knowledge, Clinic(), placeholder(encoder.dimension), encoder=encoder, settings=Settings(semantic=False)
    )
    return semantic, lexical


def _fit_logistic(x: np.ndarray, y: np.ndarray, features, classes, *, c: float = 1.0, embedding: int = 0, weights=None):
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-4] = 1.0  # a constant input (some embedding dimensions barely vary)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - mean) / scale, y, sample_weight=weights)
    return _model(features, classes, model.coef_, model.intercept_, mean, scale, embedding)


def _out_of_fold(
    x: np.ndarray, y: np.ndarray, c: float, weights: np.ndarray | None = None, repeats: int = 1
) -> np.ndarray:
    """Each message's probability from models that did not see it, averaged over `repeats` shuffles of the folds
    (one shuffle decides which messages share a fold, and so moves the probabilities near a threshold)."""
    probabilities = np.zeros((len(y), len(set(y))))
    for seed in range(repeats):
        for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            mean, scale = x[train].mean(axis=0), x[train].std(axis=0)
            scale[scale < 1e-4] = 1.0  # a constant input (some embedding dimensions barely vary)
            model = LogisticRegression(C=c, max_iter=5000)
            model.fit((x[train] - mean) / scale, y[train], sample_weight=None if weights is None else weights[train])
            probabilities[test] += model.predict_proba((x[test] - mean) / scale) / repeats
    return probabilities


def fit_triage(inspections, items: list[Item]) -> tuple[LogisticModel, dict[str, float], dict]:
    x = np.array([[s.triage[f] for f in TRIAGE_FEATURES] + list(s.vector) for s in inspections])
    y = np.array([TRIAGE_CLASSES.index(i.triage) for i in items])
    dimension = len(inspections[0].vector)
    model = _fit_logistic(x, y, TRIAGE_FEATURES, TRIAGE_CLASSES, c=TRIAGE_C, embedding=dimension)
    # Thresholds from out-of-fold probabilities: in-sample ones are too sure of themselves. The urgent
    # threshold is about the second-lowest urgent message's probability, which one shuffle of the folds
    # or a few new examples moved between 0.08 and 0.13: the average over FOLD_REPEATS shuffles holds.
    probs = [dict(zip(TRIAGE_CLASSES, row)) for row in _out_of_fold(x, y, TRIAGE_C, repeats=FOLD_REPEATS)]
    urgent = sorted(p["urgent"] for p, i in zip(probs, items) if i.triage == "urgent")
    t_urgent = min(0.5, URGENT_MARGIN * urgent[int((1 - URGENT_RECALL) * len(urgent))])
    questions = [p for p, i in zip(probs, items) if i.triage == "question"]
    # The personal threshold: the lowest that holds back at most MAX_HELD_BACK of the questions about implants
    # (it may be under 0.5: a symptom the patient has now must never get an FAQ answer, so the budget is
    # spent). Off-topic messages lose nothing when held back, and counting them would let the budget grow
    # with every everyday message added to the off-topic set.
    dental = [p for p, i in zip(probs, items) if i.triage == "question" and i.about_implants]
    held = sorted((p["urgent"] + p["personal"] for p in dental if p["urgent"] < t_urgent), reverse=True)
    t_personal = held[int(MAX_HELD_BACK * len(dental))]
    t_note = held[int(MAX_NOTED * len(dental))]
    report = {
        "urgent recall": np.mean([u >= t_urgent for u in urgent]),
        "false urgent": np.mean([p["urgent"] >= t_urgent for p in questions]),
        "personal recall": np.mean(
            [
                p["urgent"] >= t_urgent or p["urgent"] + p["personal"] >= t_personal
                for p, i in zip(probs, items)
                if i.triage == "personal"
            ]
        ),
        "questions held back as personal": np.mean(
            [p["urgent"] < t_urgent and p["urgent"] + p["personal"] >= t_personal for p in dental]
        ),
        "personal recall, held back or noted": np.mean(
            [
                p["urgent"] >= t_urgent or p["urgent"] + p["personal"] >= t_note
                for p, i in zip(probs, items)
                if i.triage == "personal"
            ]
        ),
        "questions noted": np.mean(
            [p["urgent"] < t_urgent and t_note <= p["urgent"] + p["personal"] < t_personal for p in dental]
        ),
    }
    thresholds = {"urgent": t_urgent, "personal": t_personal, "personal_note": t_note}
    return model, {k: round(float(v), 4) for k, v in thresholds.items()}, report


def _right(assistant: Assistant, item: Item, key: str) -> bool:
    return bool(item.answered_by(key, assistant.knowledge.entry(key).answer))


def _top_rows(assistant, inspections, items, features, lexical_weight, extra=()):
    """The best-ranked entry of each message: its `features`, whether it is the right answer, and its `extra`
    features (one ranking serves both)."""
    model = _model(features, ("wrong", "right"))
    rows, labels, extra_rows = [], [], []
    for inspection, item in zip(inspections, items):
        ranked = rank(
            inspection.entries,
            inspection.uncovered,
            model,
            lexical_weight=lexical_weight,
            unknown_share=inspection.unknown_share,
        )
        rows.append([ranked[0].features[f] for f in features] if ranked else [0.0] * len(features))
        extra_rows.append([ranked[0].features[f] for f in extra] if ranked else [0.0] * len(extra))
        labels.append(int(bool(ranked) and _right(assistant, item, ranked[0].key)))
    return np.array(rows), np.array(labels), np.array(extra_rows)


def source_weights(items: list[Item]) -> np.ndarray:
    """Give each labelled set the same total weight, so the real questions of the shared dev set count
    as much as our own, larger sets of paraphrases and off-topic messages (whose wording we wrote)."""
    sources = [i.source for i in items]
    counts = {s: sources.count(s) for s in set(sources)}
    return np.array([len(items) / (len(counts) * counts[s]) for s in sources])


def answer_threshold(p: np.ndarray, y: np.ndarray, weight: np.ndarray, rounds: int = BOOTSTRAP_ROUNDS) -> float:
    """The probability above which to answer: where right answers minus WRONG_COST times wrong ones is highest.

    That utility is flat near its top, so the single best threshold jumps with a handful of messages
    (0.77 one refit, 0.85 the next). The median of the best thresholds over bootstrap resamples is the
    one that holds.
    """
    candidates = np.arange(0.5, 0.96, 0.01)
    right, wrong = weight * (y == 1), weight * (y == 0)
    answered = p[None, :] >= candidates[:, None]  # [threshold, message]
    random = np.random.default_rng(0)
    best = []
    for _ in range(rounds):
        sample = np.bincount(random.integers(0, len(p), len(p)), minlength=len(p))
        utility = answered @ (sample * right) - WRONG_COST * (answered @ (sample * wrong))
        best.append(candidates[np.flatnonzero(utility == utility.max())[-1]])  # ties: the stricter one
    return float(np.median(best))


@dataclass(frozen=True)
class AnswerExamples:
    """The messages the answer model learns from, with each one's best entry under every lexical share."""

    items: list[Item]
    rows: dict[float, tuple[np.ndarray, np.ndarray]]  # lexical share -> (feature rows, 1 if that entry is right)
    answerable: np.ndarray  # the message has a right answer (not "decline")
    features: tuple[str, ...]
    # lexical share -> the best entry's LOOKALIKE_FEATURES followed by the message's embedding (semantic only)
    lookalike: dict[float, np.ndarray]


def answer_examples(assistant, items, features, inspections=None) -> AnswerExamples:
    """Collect what the answer model learns from: the messages that reach matching and whose right answer
    is known (an own "question" from the triage set has no entry label, so it is left out). `inspections`,
    one per item, when the caller already has them."""
    keep = [
        n for n, i in enumerate(items)
        if i.triage == "question" and i.expect != "smalltalk" and (i.labelled or i.expect == "decline")
    ]  # fmt: skip
    items = [items[n] for n in keep]
    inspections = [assistant.inspect(i.q) for i in items] if inspections is None else [inspections[n] for n in keep]
    semantic = "semantic" in features
    shares = LEXICAL_WEIGHTS if semantic else (1.0,)
    extra = LOOKALIKE_FEATURES if semantic else ()
    top = {w: _top_rows(assistant, inspections, items, features, w, extra) for w in shares}
    rows = {w: (features_rows, labels) for w, (features_rows, labels, _) in top.items()}
    answerable = np.array([i.expect != "decline" for i in items])
    lookalike = {}
    if semantic:
        width = next(len(i.vector) for i in inspections if i.vector is not None)
        vectors = np.array([i.vector if i.vector is not None else np.zeros(width) for i in inspections])
        lookalike = {w: np.hstack([extra_rows, vectors]) for w, (_, _, extra_rows) in top.items()}
    return AnswerExamples(items, rows, answerable, tuple(features), lookalike)


def fit_answer_on(examples: AnswerExamples, use: np.ndarray) -> tuple[LogisticModel, float, float, np.ndarray]:
    """Fit the answer model on the examples `use` selects: (model, threshold, lexical share, out-of-fold
    probabilities of those examples)."""
    items = [i for i, chosen in zip(examples.items, use) if chosen]
    weight = source_weights(items)
    answerable = examples.answerable[use]
    # The ranking: the lexical share that puts the right entry first most often.
    lexical_weight = max(
        examples.rows,
        key=lambda w: np.average(examples.rows[w][1][use][answerable], weights=weight[answerable]),
    )
    x, y = (part[use] for part in examples.rows[lexical_weight])
    model = _fit_logistic(x, y, examples.features, ("wrong", "right"), weights=weight)
    # The threshold is chosen on out-of-fold probabilities: in-sample ones are too sure of themselves.
    p = _out_of_fold(x, y, 1.0, weight, repeats=FOLD_REPEATS)[:, 1]
    return model, round(answer_threshold(p, y, weight), 2), lexical_weight, p


@dataclass(frozen=True)
class FittedAnswer:
    model: LogisticModel
    threshold: float
    lexical_weight: float
    out_of_fold: np.ndarray  # each used example's probability from models that did not see it


def fit_answer(assistant, inspections, items, features) -> tuple[FittedAnswer, AnswerExamples, dict]:
    examples = answer_examples(assistant, items, features, inspections)
    everything = np.ones(len(examples.items), dtype=bool)
    fitted = FittedAnswer(*fit_answer_on(examples, everything))
    y, answerable = examples.rows[fitted.lexical_weight][1], examples.answerable
    answered = fitted.out_of_fold >= fitted.threshold
    report = {
        "wrong": float((answered & (y == 0)).sum() / len(y)),
        "helpful": float((answered & (y == 1)).sum() / answerable.sum()),
        "right first": float(y[answerable].mean()),
    }
    return fitted, examples, report


def _balanced(y: np.ndarray) -> np.ndarray:
    """Weights that give both classes the same total (look-alikes are few beside right answers)."""
    counts = np.bincount(y, minlength=2)
    return len(y) / (2 * np.maximum(counts[y], 1))


def answer_probabilities(answer: FittedAnswer, rows: np.ndarray) -> np.ndarray:
    """The answer model's probability that the best entry is right, for rows of AnswerExamples.rows."""
    return np.array([answer.model.probabilities(dict(zip(answer.model.features, r)))["right"] for r in rows])


def lookalike_probability(model: LogisticModel, row: np.ndarray) -> float:
    """The look-alike check's probability for one row of AnswerExamples.lookalike (features, then embedding)."""
    named = len(LOOKALIKE_FEATURES)
    return model.probabilities(dict(zip(LOOKALIKE_FEATURES, row[:named])), row[named:])["lookalike"]


def fit_lookalike_on(
    examples: AnswerExamples,
    use: np.ndarray,
    answer: FittedAnswer,
    lookalikes: AnswerExamples,
    staff: AnswerExamples | None = None,
) -> tuple[LogisticModel, float, dict]:
    """Fit the look-alike check on the answers the answer model would give: those of the examples `use` selects
    (by their out-of-fold probability), those of the look-alike set and those of the staff's test questions
    (`staff`; the last two never seen by the answer model). It learns which of them are wrong; its threshold
    declines at most MAX_LOOKALIKE_LOSS of the right ones among the examples, out of fold, and none of the
    staff's test questions the answer model answers rightly: staff run those before publishing, and each
    must keep the reply it names. Unseen, two of them held the threshold at 0.83 where the budget gave
    0.78, and the check answered look-alikes it would otherwise decline."""
    w = answer.lexical_weight
    own_p = answer.out_of_fold
    own_right = examples.rows[w][1][use]
    extra_rows, extra_right = lookalikes.rows[w]
    own, extra = own_p >= answer.threshold, answer_probabilities(answer, extra_rows) >= answer.threshold
    x_parts = [examples.lookalike[w][use][own], lookalikes.lookalike[w][extra]]
    right_parts = [own_right[own], extra_right[extra]]
    if staff is not None:
        staff_rows, staff_right = staff.rows[w]
        asked = answer_probabilities(answer, staff_rows) >= answer.threshold  # the staff questions answered
        x_parts.append(staff.lookalike[w][asked])
        right_parts.append(staff_right[asked])
    x = np.vstack(x_parts)
    y = 1 - np.concatenate(right_parts)  # 1: the answer would be wrong
    source = np.repeat(np.arange(len(x_parts)), [len(part) for part in x_parts])  # examples, look-alikes, staff
    weights = _balanced(y)
    p = _out_of_fold(x, y, LOOKALIKE_C, weights, repeats=FOLD_REPEATS)[:, 1]
    from_examples = source == 0
    rights = np.sort(p[from_examples & (y == 0)])[::-1]
    lost = int(MAX_LOOKALIKE_LOSS * len(rights))
    threshold = float((rights[lost - 1] + rights[lost]) / 2) if lost else float(rights[0]) + 1e-6
    embedding = x.shape[1] - len(LOOKALIKE_FEATURES)
    model = _fit_logistic(
        x, y, LOOKALIKE_FEATURES, ("answer", "lookalike"), c=LOOKALIKE_C, weights=weights, embedding=embedding
    )
    if staff is not None:
        kept = staff.lookalike[w][asked & (staff_right == 1)]
        highest = max((lookalike_probability(model, row) for row in kept), default=0.0)
        threshold = max(threshold, highest + STAFF_MARGIN)
    declined = p >= threshold

    def share(among: np.ndarray) -> str:
        return f"{(declined & among).sum()}/{among.sum()}"

    report = {
        "right answers declined": share(from_examples & (y == 0)),
        "wrong answers declined": share(from_examples & (y == 1)),
        "look-alike set, wrong declined": share((source == 1) & (y == 1)),
        "look-alike set, right declined": share((source == 1) & (y == 0)),
        "staff test questions, right declined": share((source == 2) & (y == 0)),
    }
    return model, round(threshold, 4), report


def staff_questions(knowledge) -> list[Item]:
    """The staff's test questions (knowledge/test_questions.toml) that name an entry, as labelled items."""
    ids = {e.id for e in knowledge.entries}
    return [
        Item(q.text, "staff", "question", "answer", entry_id=q.expect)
        for q in knowledge.test_questions
        if q.expect in ids
    ]


def fit() -> dict:
    semantic, lexical = assistants()
    items, _ = split(own_sets() + dev_set())
    inspections = [semantic.inspect(i.q) for i in items]
    lexical_inspections = [lexical.inspect(i.q) for i in items]
    triage, triage_thresholds, triage_report = fit_triage(inspections, items)
    answer, examples, answer_report = fit_answer(semantic, inspections, items, SEMANTIC_FEATURES)
    lexical_answer, _, lexical_report = fit_answer(lexical, lexical_inspections, items, LEXICAL_FEATURES)
    lookalike_items, _ = split(lookalike_set())
    lookalikes = answer_examples(semantic, lookalike_items, SEMANTIC_FEATURES)
    everything = np.ones(len(examples.items), dtype=bool)
    staff = answer_examples(semantic, staff_questions(semantic.knowledge), SEMANTIC_FEATURES)
    lookalike, t_lookalike, lookalike_report = fit_lookalike_on(examples, everything, answer, lookalikes, staff)
    print(f"fitting part: {len(items)} messages, {len(lookalike_items)} of the look-alike set")
    print("triage:", {k: round(float(v), 3) for k, v in triage_report.items()}, triage_thresholds)
    print("answer (semantic):", {k: round(v, 3) for k, v in answer_report.items()}, "threshold", answer.threshold,
          "lexical weight", answer.lexical_weight)  # fmt: skip
    print("look-alike check:", lookalike_report, "threshold", t_lookalike)
    print("answer (lexical only):", {k: round(v, 3) for k, v in lexical_report.items()}, "threshold",
          lexical_answer.threshold)  # fmt: skip
    thresholds = {"answer": answer.threshold, "answer_lexical": lexical_answer.threshold, "lookalike": t_lookalike}
    return {
        "comment": "Written by fitting/fit.py; do not edit by hand. Features: faqbot/engine/triage.py, decision.py.",
        "thresholds": {**triage_thresholds, **thresholds, **FIXED},
        "lexical_weight": answer.lexical_weight,
        "triage": _as_dict(triage),
        "answer": _as_dict(answer.model),
        "answer_lexical": _as_dict(lexical_answer.model),
        "lookalike": _as_dict(lookalike),
    }


def _as_dict(model: LogisticModel) -> dict:
    return {
        "features": list(model.features),
        "classes": list(model.classes),
        "coef": np.round(model.coef, 6).tolist(),
        "intercept": np.round(model.intercept, 6).tolist(),
        "mean": np.round(model.mean, 6).tolist(),
        "scale": np.round(model.scale, 6).tolist(),
        "embedding": model.embedding,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if params.json is not what a refit gives")
    args = parser.parse_args()
    params = fit()
    text = json.dumps(params, indent=1) + "\n"
    if args.check:
        same = PARAMS.exists() and PARAMS.read_text() == text
        print("params.json is up to date" if same else "params.json differs from a refit: run fitting/fit.py")
        return 0 if same else 1
    PARAMS.write_text(text)
    print(f"wrote {PARAMS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
