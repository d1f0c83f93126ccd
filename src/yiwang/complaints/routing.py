"""派单: routing a 12345 ticket's free text to a category — the dispatch office's keyword rules
first, then a model of past dispatches, else a dispatcher's queue.

The model is character 1–3-gram TF-IDF features and a multinomial logistic regression, trained
with scikit-learn (imported only inside ``train``) and exported to plain JSON; predicting is pure
Python, so a web server that routes tickets never loads numpy or scikit-learn.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yiwang.kit.text import clean_text

FORMAT = "yiwang.complaints.routing/1"
NGRAMS = (1, 3)
# Inverse regularisation strength of the logistic regression; higher is sharper probabilities.
C = 100.0
# Exported weights smaller than this (in absolute value) are dropped: on the held-out tickets
# this costs 2 of 604 routings and makes the JSON 1.5 MB instead of 8 MB.
PRUNE_BELOW = 0.1
_DECIMALS = 4


@dataclass(frozen=True)
class Example:
    """A ticket's text and the category it was (finally) dispatched to."""

    text: str
    category: str


@dataclass(frozen=True)
class Rule:
    """派单规则: any of these keywords in a ticket sends it to ``category``."""

    when: tuple[str, ...]
    category: str
    emergency: bool = False

    def matches(self, normalised: str) -> bool:
        """Tell whether a normalised ticket text contains one of the rule's keywords."""
        return any(keyword in normalised for keyword in self.when)


@dataclass(frozen=True)
class Routing:
    """Where a ticket goes: ``by`` is "rule", "model" or "queue" (category None)."""

    category: str | None
    confidence: float
    by: str
    emergency: bool
    alternatives: list[tuple[str, float]]


# --- text ---------------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"  # mobile
    r"|(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"  # landline with area code (湖州 0572)
)
_LONG_NUMBER = re.compile(r"\d{5,}[xX]?")  # ID card, order, account numbers
_DIGITS = re.compile(r"\d+(?:\.\d+)?")  # 3号楼 and 12号楼 are the same thing: 0号楼
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Simplify, half-width, lower-case; drop phone and long numbers, write other numbers 0."""
    s = clean_text(text).lower()
    s = _PHONE.sub(" ", s)
    s = _LONG_NUMBER.sub(" ", s)
    s = _DIGITS.sub("0", s)
    return _SPACES.sub(" ", s).strip()


def _ngrams(normalised: str) -> list[str]:
    """Character n-grams of a normalised text, the model's features."""
    low, high = NGRAMS
    return [
        normalised[i : i + n] for n in range(low, high + 1) for i in range(len(normalised) - n + 1)
    ]


# --- rules --------------------------------------------------------------------------------------


def rules_from(definitions: Mapping[str, Any]) -> list[Rule]:
    """The ``rules`` of categories.yaml (as loaded, or as a pydantic dump), in their order."""
    return [
        Rule(
            when=tuple(k for k in (normalise(keyword) for keyword in rule["when"]) if k),
            category=rule["category"],
            emergency=bool(rule.get("emergency", False)),
        )
        for rule in definitions.get("rules") or []
    ]


# --- the model ----------------------------------------------------------------------------------


class Model:
    """A linear classifier over TF-IDF character n-grams, predicting in pure Python."""

    def __init__(
        self,
        *,
        categories: list[str],
        intercepts: list[float],
        idf: dict[str, float],
        weights: dict[str, list[tuple[int, float]]],
        trained_on: int,
    ) -> None:
        self.categories = categories
        self.trained_on = trained_on
        self._intercepts = intercepts
        self._idf = idf
        self._weights = weights

    def predict(self, text: str) -> list[tuple[str, float]]:
        """Every category with its probability for this ticket text, most likely first."""
        return self._predict_normalised(normalise(text))

    def _predict_normalised(self, normalised: str) -> list[tuple[str, float]]:
        """``predict`` for a text that is already normalised."""
        features: dict[str, float] = {}
        for gram, count in Counter(_ngrams(normalised)).items():
            idf = self._idf.get(gram)
            if idf is not None:
                features[gram] = (1.0 + math.log(count)) * idf  # sublinear tf × idf
        norm = math.sqrt(sum(value * value for value in features.values())) or 1.0
        scores = list(self._intercepts)
        for gram, value in features.items():
            for index, weight in self._weights.get(gram, ()):
                scores[index] += weight * value / norm
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        ranked = [(c, e / total) for c, e in zip(self.categories, exps, strict=True)]
        return sorted(ranked, key=lambda pair: pair[1], reverse=True)

    def to_json(self) -> str:
        """The model as compact JSON: per n-gram its idf, then (category index, weight) pairs."""
        features: dict[str, list[float]] = {}
        for gram, idf in self._idf.items():
            row: list[float] = [idf]
            for index, weight in self._weights.get(gram, ()):
                row += [index, weight]
            features[gram] = row
        document = {
            "format": FORMAT,
            "ngrams": list(NGRAMS),
            "trained_on": self.trained_on,
            "categories": self.categories,
            "intercepts": self._intercepts,
            "features": features,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str) -> Model:
        """Read a model written by ``to_json``."""
        document = json.loads(s)
        if document.get("format") != FORMAT or tuple(document.get("ngrams", ())) != NGRAMS:
            raise ValueError(f"not a routing model of format {FORMAT}")
        idf: dict[str, float] = {}
        weights: dict[str, list[tuple[int, float]]] = {}
        for gram, row in document["features"].items():
            idf[gram] = float(row[0])
            if len(row) > 1:
                weights[gram] = [(int(row[i]), float(row[i + 1])) for i in range(1, len(row), 2)]
        return cls(
            categories=list(document["categories"]),
            intercepts=[float(b) for b in document["intercepts"]],
            idf=idf,
            weights=weights,
            trained_on=int(document["trained_on"]),
        )


def train(examples: list[Example]) -> Model:
    """Fit TF-IDF character n-grams and a multinomial logistic regression; export it."""
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    if len({e.category for e in examples}) < 2:
        raise ValueError("training needs examples of at least two categories")
    vectorizer = TfidfVectorizer(
        analyzer=_ngrams, sublinear_tf=True, min_df=2, norm="l2", dtype=numpy.float64
    )
    matrix = vectorizer.fit_transform([normalise(e.text) for e in examples])
    classifier = LogisticRegression(C=C, solver="newton-cg", max_iter=200)
    with threadpool_limits(limits=1):  # too small a problem for BLAS threads to pay off
        classifier.fit(matrix, [e.category for e in examples])
    categories = [str(c) for c in classifier.classes_]
    coef, intercept = classifier.coef_, classifier.intercept_
    if len(categories) == 2:  # a binary model keeps one row, the second class's score
        coef, intercept = [-coef[0] / 2, coef[0] / 2], [-intercept[0] / 2, intercept[0] / 2]
    by_gram = [list(column) for column in zip(*(row.tolist() for row in coef), strict=True)]
    idf: dict[str, float] = {}
    weights: dict[str, list[tuple[int, float]]] = {}
    for gram, gram_idf, column in zip(
        vectorizer.get_feature_names_out().tolist(), vectorizer.idf_.tolist(), by_gram, strict=True
    ):
        idf[gram] = round(gram_idf, _DECIMALS)
        kept = [
            (index, round(w, _DECIMALS)) for index, w in enumerate(column) if abs(w) >= PRUNE_BELOW
        ]
        if kept:
            weights[gram] = kept
    return Model(
        categories=categories,
        intercepts=[round(float(b), _DECIMALS) for b in intercept],
        idf=idf,
        weights=weights,
        trained_on=len(examples),
    )


# --- routing ------------------------------------------------------------------------------------


def route(text: str, *, model: Model | None, rules: list[Rule], min_confidence: float) -> Routing:
    """First matching rule, else the model if sure enough, else the queue; flag emergencies."""
    normalised = normalise(text)
    matched = [rule for rule in rules if rule.matches(normalised)]
    emergency = any(rule.emergency for rule in matched)
    ranked = model._predict_normalised(normalised) if model is not None else []
    alternatives = ranked[:3]
    if matched:
        return Routing(matched[0].category, 1.0, "rule", emergency, alternatives)
    if ranked and ranked[0][1] >= min_confidence:
        return Routing(ranked[0][0], ranked[0][1], "model", emergency, alternatives)
    return Routing(None, ranked[0][1] if ranked else 0.0, "queue", emergency, alternatives)


# --- data ---------------------------------------------------------------------------------------


def load_examples(path: Path) -> list[Example]:
    """Read a dispatch history CSV (columns text and category, others ignored)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [Example(text=row["text"], category=row["category"]) for row in csv.DictReader(f)]


def accuracy(model: Model, examples: Iterable[Example]) -> float:
    """Share of examples whose most likely category is the one they were dispatched to."""
    examples = list(examples)
    if not examples:
        return 0.0
    hits = sum(model.predict(e.text)[0][0] == e.category for e in examples)
    return hits / len(examples)
