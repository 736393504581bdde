"""Train the predictive conversion model on the seeded history and predict every open demo lead with it."""

from __future__ import annotations

from demo.seeding.context import Output
from scoring.exceptions import NotEnoughHistory
from scoring.predictive.prediction import predict_leads
from scoring.predictive.training import train_conversion_model


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def seed_conversion_model(out: Output) -> int:
    """Train a model version and predict the open leads; with too little history, say how much more is needed.

    Run after the demo leads are scored with the rules, so the model is compared with the scores the app shows.
    """
    try:
        model = train_conversion_model()
    except NotEnoughHistory as exc:
        out(f"    conversion model not trained: {exc.detail}")
        return 0
    predicted = predict_leads(model=model)
    out(
        f"    conversion model v{model.version} on {model.closed_leads:,} closed leads: AUC {_figure(model.auc)} "
        f"vs {_figure(model.rule_score_auc)} for the rule score, lift at the top 10% {_figure(model.lift_top_10)}"
    )
    return predicted
