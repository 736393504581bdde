"""The `predictive` figure: train the conversion model on the dataset's history and predict every open lead.

First gives the dataset a history to learn from (kept only for this figure, restored afterwards): 40% of the leads
close 1-60 days after they were created — converted with a probability of 5% + 40% when the source is webinar or
referral + 40% when the title is CEO, CTO or VP Sales, else unqualified (each a function of the lead id). Leads the
dataset already made unqualified stay closed too. Engagement comes from the `scoring` figure (added here when that
figure did not run).

Each step runs in a fresh Python process (`python bench/predictive.py --step …`) whose peak resident memory
(`ru_maxrss`) is the step's own:

- `read` (the baseline): stream the same feature rows from the database, closed leads then open leads, and fit
  nothing — what reading costs;
- `model`: `train_conversion_model` (two fits: the holdout one and the stored one) then `predict_leads` over every
  open lead (probabilities and reasons written back).

Target (the product's): train + predict a million leads' history in ≤ 2 minutes and ≤ 1 GB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAVED = "bench_predictive_saved"
TARGET_SECONDS, TARGET_MB = 120, 1024


def _execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def make_history() -> dict:
    """Close 40% of the leads with feature-dependent outcomes; remember what they were in an unlogged table."""
    from activities.models import Event
    from bench.scoring import add_engagement
    from leads.models import Lead

    if not Event.objects.filter(kind__in=["nurture_opened", "nurture_clicked", "form_submitted", "reply"]).exists():
        add_engagement(Lead.objects.count())
    account = _first_account()
    chosen = "(l.id * 2654435761) % 1000 < 400"
    chance = (
        "(50 + CASE WHEN l.source IN ('webinar', 'referral') THEN 400 ELSE 0 END"
        " + CASE WHEN l.title IN ('CEO', 'CTO', 'VP Sales') THEN 400 ELSE 0 END)"
    )
    closed_at = "LEAST(l.created_at + make_interval(days => 1 + (l.id % 60)::int), now())"
    _execute(f"DROP TABLE IF EXISTS {SAVED}")
    _execute(
        f"CREATE UNLOGGED TABLE {SAVED} AS SELECT id, status, converted_at, converted_account_id, updated_at "
        f"FROM leads_lead l WHERE {chosen} AND l.status <> 'converted'"
    )
    _execute(
        f"UPDATE leads_lead l SET "
        f"status = CASE WHEN (l.id * 7919) % 1000 < {chance} THEN 'converted' ELSE 'unqualified' END, "
        f"converted_at = CASE WHEN (l.id * 7919) % 1000 < {chance} THEN {closed_at} END, "
        f"converted_account_id = CASE WHEN (l.id * 7919) % 1000 < {chance} THEN {int(account)} END, "
        f"updated_at = {closed_at} "
        f"FROM {SAVED} s WHERE s.id = l.id"
    )
    _execute("VACUUM ANALYZE leads_lead")
    return {
        "converted": Lead.objects.filter(status="converted").count(),
        "unqualified": Lead.objects.filter(status="unqualified").count(),
        "open": Lead.objects.open().count(),
    }


def _first_account() -> int:
    from accounts.models import Account

    first = Account.objects.order_by("pk").values_list("pk", flat=True).first()
    return first if first is not None else Account.objects.create(name="Bench history").pk


def restore() -> None:
    from scoring.models import ConversionModel

    _execute(
        f"UPDATE leads_lead l SET status = s.status, converted_at = s.converted_at, "
        f"converted_account_id = s.converted_account_id, updated_at = s.updated_at FROM {SAVED} s WHERE s.id = l.id"
    )
    _execute("UPDATE leads_lead SET conversion_probability = NULL, conversion_reasons = NULL "
             "WHERE conversion_probability IS NOT NULL OR conversion_reasons IS NOT NULL")  # fmt: skip
    _execute(f"DROP TABLE {SAVED}")
    ConversionModel.objects.all().delete()
    # Every lead row was rewritten up to three times: compact, so the figures after this one measure the dataset.
    _execute("VACUUM FULL ANALYZE leads_lead")


def _step(name: str) -> dict:
    """Run one step in a fresh interpreter with this process's environment; return what it printed (JSON)."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--step", name],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"step {name} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(ctx) -> dict:
    from django.db import connection

    from bench.run import row

    history = make_history()
    connection.close()  # the children open their own connections
    try:
        read = _step("read")
        model = _step("model")
    finally:
        restore()
    total = model["train_seconds"] + model["predict_seconds"]
    return {
        "rows": [
            row(
                f"train on {model['closed_leads']:,} closed leads",
                model["train_seconds"],
                "s",
                baseline=read["closed_seconds"],
                baseline_label="reading their features",
            ),
            row(
                f"predict {model['predicted']:,} open leads (write probability + reasons)",
                model["predict_seconds"],
                "s",
                baseline=read["open_seconds"],
                baseline_label="reading their features",
            ),
            row(f"train + predict (target ≤ {TARGET_SECONDS} s)", round(total, 2), "s"),
            row(
                f"peak memory, train + predict (target ≤ {TARGET_MB} MB)",
                model["peak_mb"],
                "MB",
                baseline=read["peak_mb"],
                baseline_label="reading the same features",
            ),
            row(
                "holdout AUC",
                model["auc"],
                "",
                baseline=model["rule_score_auc"],
                baseline_label="rule score, same holdout",
                higher_is_better=True,
            ),
            row("lift at the top 10%", model["lift_top_10"], "x", higher_is_better=True),
        ],
        "details": {"history": history, "read": read, "model": model},
    }


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _read_step() -> dict:
    from scoring.predictive.features import stream_features

    out = {}
    for label, closed in (("closed", True), ("open", False)):
        started, rows = time.perf_counter(), 0
        for chunk in stream_features(closed=closed):
            rows += len(chunk)
        out[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
        out[f"{label}_rows"] = rows
    return out | {"peak_mb": _peak_mb()}


def _model_step() -> dict:
    from scoring.predictive.model import ranked_features
    from scoring.predictive.prediction import predict_leads
    from scoring.predictive.training import train_conversion_model

    started = time.perf_counter()
    model = train_conversion_model()
    trained = time.perf_counter()
    predicted = predict_leads(model=model)
    finished = time.perf_counter()
    return {
        "train_seconds": round(trained - started, 2),
        "predict_seconds": round(finished - trained, 2),
        "peak_mb": _peak_mb(),
        "closed_leads": model.closed_leads,
        "training_size": model.training_size,
        "holdout_size": model.holdout_size,
        "predicted": predicted,
        "auc": model.auc,
        "rule_score_auc": model.rule_score_auc,
        "lift_top_10": model.lift_top_10,
        "is_better_than_chance": model.is_better_than_chance,
        "calibration": model.calibration,
        "ranked_features": ranked_features(model.parameters),
    }


def main(argv: list[str]) -> None:
    """`--step read|model`: one measured step, in this fresh process, printing its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    step = argv[argv.index("--step") + 1]
    print(json.dumps({"read": _read_step, "model": _model_step}[step]()))


if __name__ == "__main__":
    main(sys.argv)
