# Grade rules: the ideal-customer-profile rules behind the lead grade (scoring.grades).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="GradeRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=120)),
                ("field", models.CharField(help_text="The lead field the rule looks at.", max_length=40)),
                (
                    "operator",
                    models.CharField(
                        choices=[
                            ("equals", "equals"),
                            ("not_equals", "does not equal"),
                            ("in", "is one of (comma-separated)"),
                            ("contains", "contains (any of, comma-separated)"),
                            ("starts_with", "starts with (any of, comma-separated)"),
                            ("gte", "≥"),
                            ("lte", "≤"),
                            ("is_set", "is set"),
                            ("is_blank", "is blank"),
                            ("free_mail", "email is free-mail"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        blank=True, help_text="Lists are comma-separated; numbers for ≥ and ≤.", max_length=500
                    ),
                ),
                ("active", models.BooleanField(default=True)),
                (
                    "points",
                    models.SmallIntegerField(
                        help_text="Profile points when the rule matches; negative for a poor fit. The grade follows the sum.",
                        validators=[
                            django.core.validators.MinValueValidator(-100),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
            ],
            options={
                "ordering": ["-points", "name", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("points__gte", -100), ("points__lte", 100)), name="grade_rule_points_range"
                    )
                ],
            },
        ),
    ]
