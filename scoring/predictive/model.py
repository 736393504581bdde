"""The model's arithmetic: encode features, fit a logistic regression, split each prediction into contributions.

    z_f   = (log1p(x_f) - mean_f) / scale_f                      for each numeric feature (counts, days)
    logit = intercept + Σ_categorical coef_f[value] + Σ_numeric coef_f · z_f
    p     = 1 / (1 + e^-logit)

scikit-learn fits it (`LogisticRegression`, L2, lbfgs) on the one-hot categoricals and the standardised numerics;
what is stored is plain JSON (`to_parameters`): each categorical's vocabulary, coefficients and training shares,
each numeric's mean, scale and coefficient, the intercept. A logistic regression fitted by log-loss is calibrated
on the data it was fitted on; how well it holds on newer leads is measured, not assumed (`scoring.predictive.quality`).

**Contributions.** A feature's contribution (log-odds) is its term minus the same term for the *average training
lead*: categorical `coef_f[value] - Σ_v share_v · coef_f[v]`, numeric `coef_f · z_f` (z averages 0). With the
average lead's logit (`baseline`) they add up to the lead's logit exactly.

**Points.** "Source: webinar +12 pts" means: this lead's probability is 12 percentage points higher than it would
be if its source were the average lead's, everything else unchanged — `100 · (p - sigmoid(logit - contribution))`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from scoring.predictive.features import CATEGORICAL, NUMERIC, OPEN_ENDED, OTHER, FeatureChunk

# An industry or country seen fewer times than this among the closed leads is grouped as "other".
MIN_VALUE_COUNT = 5
# Inverse L2 strength: mild, so rare values are pulled towards the average rather than given extreme weights.
REGULARIZATION_C = 1.0
MAX_ITERATIONS = 1_000


@dataclass
class Encoded:
    """Leads as the model reads them: vocabulary indexes of the categoricals (-1: not in it) and raw numerics."""

    cat: np.ndarray  # (n, len(CATEGORICAL)) int32
    num: np.ndarray  # (n, len(NUMERIC)) float32

    def __len__(self) -> int:
        return len(self.cat)

    def take(self, rows: np.ndarray) -> Encoded:
        return Encoded(self.cat[rows], self.num[rows])


class Codebook:
    """Gives each categorical value met while streaming the training history a code, and counts it."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, int]] = {name: {} for name in CATEGORICAL}

    def encode(self, chunk: FeatureChunk) -> Encoded:
        cat = np.empty((len(chunk), len(CATEGORICAL)), dtype=np.int32)
        for j, name in enumerate(CATEGORICAL):
            codes = self.codes[name]
            cat[:, j] = [codes.setdefault(key, len(codes)) for key in chunk.categorical[name]]
        return Encoded(cat, numeric_matrix(chunk))

    def vocabulary(self, encoded: Encoded) -> tuple[dict[str, list[str]], Encoded]:
        """Choose each feature's vocabulary (rare open-ended values become OTHER) and re-index `encoded` to it."""
        vocabulary: dict[str, list[str]] = {}
        cat = np.empty_like(encoded.cat)
        for j, name in enumerate(CATEGORICAL):
            keys = list(self.codes[name])
            counts = np.bincount(encoded.cat[:, j], minlength=len(keys))
            kept = [
                key
                for key, count in zip(keys, counts, strict=True)
                if count and (name not in OPEN_ENDED or count >= MIN_VALUE_COUNT) and key != OTHER
            ]
            grouped = len(kept) < sum(1 for count in counts if count)
            values = sorted(kept) + ([OTHER] if grouped else [])
            index = {key: i for i, key in enumerate(values)}
            remap = np.array([index.get(key, index.get(OTHER, -1)) for key in keys], dtype=np.int32)
            cat[:, j] = remap[encoded.cat[:, j]]
            vocabulary[name] = values
        return vocabulary, Encoded(cat, encoded.num)


def numeric_matrix(chunk: FeatureChunk) -> np.ndarray:
    return np.column_stack([chunk.numeric[name] for name in NUMERIC]).astype(np.float32)


def encode(chunk: FeatureChunk, parameters: dict[str, Any]) -> Encoded:
    """Encode leads with a trained model's vocabulary: unseen values count as OTHER when it has one, else as none."""
    cat = np.empty((len(chunk), len(CATEGORICAL)), dtype=np.int32)
    for j, name in enumerate(CATEGORICAL):
        index = {key: i for i, key in enumerate(parameters["categorical"][name]["values"])}
        fallback = index.get(OTHER, -1)
        cat[:, j] = [index.get(key, fallback) for key in chunk.categorical[name]]
    return Encoded(cat, numeric_matrix(chunk))


def _design(encoded: Encoded, sizes: list[int], mean: np.ndarray, scale: np.ndarray) -> sparse.csr_matrix:
    n = len(encoded)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    present = encoded.cat >= 0
    rows = np.repeat(np.arange(n), present.sum(axis=1))
    cols = (encoded.cat + offsets)[present]
    onehot = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, int(sum(sizes))))
    z = (np.log1p(encoded.num.astype(np.float64)) - mean) / scale
    return sparse.hstack([onehot, sparse.csr_matrix(z)], format="csr")


def fit(encoded: Encoded, converted: np.ndarray, vocabulary: dict[str, list[str]]) -> dict[str, Any]:
    """Fit the logistic regression on `encoded` leads and their outcomes; return its JSON parameters."""
    from sklearn.linear_model import LogisticRegression

    transformed = np.log1p(encoded.num.astype(np.float64))
    mean = transformed.mean(axis=0)
    scale = transformed.std(axis=0)
    scale[scale == 0] = 1.0
    sizes = [len(vocabulary[name]) for name in CATEGORICAL]
    design = _design(encoded, sizes, mean, scale)
    learner = LogisticRegression(C=REGULARIZATION_C, max_iter=MAX_ITERATIONS)
    learner.fit(design, converted.astype(np.int8))
    coef = learner.coef_[0]
    parameters: dict[str, Any] = {"categorical": {}, "numeric": {}, "intercept": float(learner.intercept_[0])}
    start = 0
    for j, name in enumerate(CATEGORICAL):
        size = sizes[j]
        share = np.bincount(encoded.cat[:, j][encoded.cat[:, j] >= 0], minlength=size) / max(len(encoded), 1)
        parameters["categorical"][name] = {
            "values": vocabulary[name],
            "coef": [float(c) for c in coef[start : start + size]],
            "share": [float(s) for s in share],
        }
        start += size
    for j, name in enumerate(NUMERIC):
        parameters["numeric"][name] = {"mean": float(mean[j]), "scale": float(scale[j]), "coef": float(coef[start + j])}
    parameters["baseline"] = parameters["intercept"] + sum(
        float(np.dot(spec["coef"], spec["share"])) for spec in parameters["categorical"].values()
    )
    contributions = contributions_of(encoded, parameters)
    parameters["importance"] = {
        name: float(value)
        for name, value in zip(CATEGORICAL + NUMERIC, np.abs(contributions).mean(axis=0), strict=True)
    }
    return parameters


def contributions_of(encoded: Encoded, parameters: dict[str, Any]) -> np.ndarray:
    """(n, len(FEATURES)) log-odds contributions of each feature, relative to the average training lead."""
    n = len(encoded)
    out = np.empty((n, len(CATEGORICAL) + len(NUMERIC)))
    for j, name in enumerate(CATEGORICAL):
        spec = parameters["categorical"][name]
        coef = np.asarray(spec["coef"], dtype=np.float64)
        average = float(np.dot(coef, spec["share"])) if len(coef) else 0.0
        padded = np.append(coef, 0.0)  # index -1 (not in the vocabulary) reads the 0 at the end
        out[:, j] = padded[encoded.cat[:, j]] - average
    transformed = np.log1p(encoded.num.astype(np.float64))
    for j, name in enumerate(NUMERIC):
        spec = parameters["numeric"][name]
        out[:, len(CATEGORICAL) + j] = spec["coef"] * (transformed[:, j] - spec["mean"]) / spec["scale"]
    return out


def sigmoid(logit: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -500, 500)))


def predict(encoded: Encoded, parameters: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(probabilities, logits, contributions) of `encoded` leads."""
    contributions = contributions_of(encoded, parameters)
    logit = parameters["baseline"] + contributions.sum(axis=1)
    return sigmoid(logit), logit, contributions


def points(logit: np.ndarray, contributions: np.ndarray) -> np.ndarray:
    """Percentage points each feature adds to each lead's probability (see the module docstring)."""
    return 100.0 * (sigmoid(logit)[:, None] - sigmoid(logit[:, None] - contributions))


def ranked_features(parameters: dict[str, Any]) -> list[tuple[str, float]]:
    """Features by mean absolute contribution on the leads the model was fitted on, strongest first."""
    return sorted(parameters.get("importance", {}).items(), key=lambda item: -item[1])
