"""`manage.py train_conversion_model`: train a new version of the predictive model and predict every open lead."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from scoring.exceptions import NotEnoughHistory
from scoring.predictive.prediction import predict_leads
from scoring.predictive.training import train_conversion_model


class Command(BaseCommand):
    help = "Train the predictive conversion model on closed leads, then predict every open lead with it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-predict", action="store_true", help="Train only; leave open leads' predictions.")

    def handle(self, *args, **options) -> None:
        try:
            model = train_conversion_model()
        except NotEnoughHistory as exc:
            more = f" {exc.missing} more closed leads are needed." if exc.missing else ""
            self.stdout.write(f"Not trained: {exc.detail}{more}")
            return

        def figure(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.3f}"

        self.stdout.write(
            f"Conversion model v{model.version}: trained on {model.training_size} closed leads, measured on the "
            f"newest {model.holdout_size} ({model.closed_leads} in all, refitted on all).\n"
            f"AUC {figure(model.auc)} (rule score {figure(model.rule_score_auc)}), "
            f"lift at the top 10% {figure(model.lift_top_10)}. {model.quality_verdict}"
        )
        if not options["no_predict"]:
            written = predict_leads(model=model)
            self.stdout.write(f"Predicted {written} open leads.")
