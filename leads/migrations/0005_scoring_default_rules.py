"""Seed a B2B default rule set and engagement weights; admins and managers tune them afterwards."""

from django.db import migrations

FREE_MAIL_RULE = "Free-mail address"

RULES = [
    # name, field, operator, value, points
    ("Executive title", "title", "in", "ceo, cto, cfo, coo, cmo, cio, cro, owner, founder, co-founder", 25),
    ("Senior title (chief, VP, head, director)", "title", "contains", "chief, vp, vice president, head of, director, founder", 20),
    ("Manager title", "title", "contains", "manager", 5),
    ("Company of 200+ employees", "employees", "gte", "200", 10),
    ("Company of 1,000+ employees", "employees", "gte", "1000", 10),
    ("Company of 10 or fewer employees", "employees", "lte", "10", -5),
    ("Revenue of 10M+", "annual_revenue", "gte", "10000000", 10),
    ("Referral", "source", "equals", "referral", 20),
    ("Webinar attendee", "source", "equals", "webinar", 10),
    ("Partner or trade show", "source", "in", "partner, trade_show", 10),
    ("Web form", "source", "equals", "web_form", 5),
    (FREE_MAIL_RULE, "email", "free_mail", "", -15),
    ("Missing phone", "phone", "is_blank", "", -10),
    ("Missing company", "company", "is_blank", "", -10),
]

WEIGHTS = [
    ("nurture_opened", 2),
    ("nurture_clicked", 5),
    ("form_submitted", 15),
    ("reply", 15),
    ("meeting", 25),
    ("call", 10),
]


def seed(apps, schema_editor):
    ScoringRule = apps.get_model("leads", "ScoringRule")
    EngagementWeight = apps.get_model("leads", "EngagementWeight")
    if not ScoringRule.objects.exists():
        ScoringRule.objects.bulk_create(
            ScoringRule(name=name, field=field, operator=operator, value=value, points=points)
            for name, field, operator, value, points in RULES
        )
    for kind, points in WEIGHTS:
        EngagementWeight.objects.get_or_create(kind=kind, defaults={"points": points})


def unseed(apps, schema_editor):
    apps.get_model("leads", "ScoringRule").objects.filter(name__in=[rule[0] for rule in RULES]).delete()
    apps.get_model("leads", "EngagementWeight").objects.filter(kind__in=[kind for kind, _ in WEIGHTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_scoring_rules")]

    operations = [migrations.RunPython(seed, unseed)]
