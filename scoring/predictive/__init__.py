"""The predictive conversion model: features, training, prediction, quality and explanations.

See `scoring.predictive.features` (what it looks at), `.model` (the arithmetic and what a point means),
`.training`, `.prediction`, `.quality` and `.explain`.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "train_conversion_model": "scoring.predictive.training",
    "predict_leads": "scoring.predictive.prediction",
    "explain_prediction": "scoring.predictive.prediction",
}


def __getattr__(name: str) -> Any:
    """`from scoring.predictive import predict_leads` etc., imported on first use (the modules need the models)."""
    if name not in _EXPORTS:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(_EXPORTS[name]), name)
