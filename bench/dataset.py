"""The deterministic benchmark dataset, built set-based in PostgreSQL (INSERT … SELECT generate_series).

Per scale 1.0: 1,000,000 leads (90% owned by 50 reps in 5 teams, 10% unassigned) with one status-history row
each, 20,000 accounts and 100,000 opportunities across the default stages. The same scale always gives the
same rows: every value is a function of the row number.
"""

from __future__ import annotations

from django.db import connection, models

from accounts.models import Account
from dashboards import funnel_rollup
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, Stage
from users.models import ApiToken, Team, User

REPS, TEAMS = 50, 5
SOURCES = [value for value in Lead.Source.values if value != "import"]
STATUSES = ["new", "new", "new", "working", "working", "nurturing", "qualified", "unqualified"]
COUNTRIES = ["US", "FR", "DE", "GB", "ES", "IT", "NL", "CA", "BR", "JP"]
INDUSTRIES = ["Software", "Retail", "Manufacturing", "Finance", "Healthcare", "Education", "Energy", "Media"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def _pick(values: list[str], expr: str) -> str:
    return f"({_array(values)})[1 + (({expr}) % {len(values)})]"


def insert_series(model: type[models.Model], count: int, values: dict[str, str]) -> None:
    """INSERT `count` rows of `model`, column expressions over `g` (1…count); other columns get their defaults.

    Columns other features add later are filled from their Django default, NULL or "" so the dataset keeps
    building after merges.
    """
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in values or field.column in values:
            exprs.append(values.get(field.name, values.get(field.column)))
        elif field.has_default() and not callable(field.default):
            exprs.append(_literal(field, field.default))
        elif field.has_default():
            exprs.append(_literal(field, field.default()))
        elif field.null:
            exprs.append("NULL")
        elif isinstance(field, models.CharField | models.TextField):
            exprs.append("''")
        elif isinstance(field, models.DateTimeField):
            exprs.append("now()")
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the benchmark dataset")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM generate_series(1, {int(count)}) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _literal(field: models.Field, value) -> str:
    prepared = field.get_db_prep_value(value, connection)
    if prepared is None:
        return "NULL"
    if isinstance(prepared, bool):
        return "true" if prepared else "false"
    if isinstance(prepared, int | float):
        return str(prepared)
    if hasattr(prepared, "adapted"):  # JSON
        prepared = prepared.dumps(prepared.adapted)
    return "'" + str(prepared).replace("'", "''") + "'"


def build(*, leads: int, opportunities: int) -> dict:
    """Create users, teams, tokens, accounts, leads (with history) and opportunities; return who is who."""
    admin = User.objects.create_user("bench-admin", "bench-admin@example.test", "bench-password", role=User.Role.ADMIN)
    managers, reps = [], []
    for t in range(TEAMS):
        manager = User.objects.create_user(
            f"bench-manager{t}", f"bench-manager{t}@example.test", "bench-password", role=User.Role.MANAGER
        )
        team = Team.objects.create(name=f"Bench team {t}", manager=manager)
        managers.append(manager)
        for r in range(REPS // TEAMS):
            n = t * (REPS // TEAMS) + r
            reps.append(
                User.objects.create_user(
                    f"bench-rep{n}", f"bench-rep{n}@example.test", "bench-password", role=User.Role.REP, team=team
                )
            )
    tokens = _mint_tokens([admin, managers[0], reps[0]])

    rep_ids = "ARRAY[" + ", ".join(str(r.pk) for r in reps) + "]::bigint[]"
    owner = f"CASE WHEN g % 10 = 0 THEN NULL ELSE ({rep_ids})[1 + (g % {len(reps)})] END"
    created = "now() - make_interval(days => (g % 365), secs => (g % 86400))"
    score = "(g * 37) % 101"
    status = _pick(STATUSES, "g / 7")
    with connection.cursor() as cursor:  # the report rollups are recounted once at the end, not per statement
        for statement in funnel_rollup.drop_sql():
            cursor.execute(statement)
    insert_series(
        Lead,
        leads,
        {
            "first_name": "'First' || g",
            "last_name": "'Last' || g",
            "email": "'lead' || g || '@company' || (g % 50000) || '.example'",
            "phone": "'+1 555 ' || lpad((g % 10000)::text, 4, '0')",
            "company": "'Company ' || (g % 50000)",
            "title": _pick(["CEO", "CTO", "VP Sales", "Engineer", "Buyer", "Analyst"], "g"),
            "website": "'https://company' || (g % 50000) || '.example'",
            "industry": _pick(INDUSTRIES, "g / 3"),
            "employees": "(g % 5000) + 1",
            "annual_revenue": "((g % 1000) * 10000)::numeric",
            "country": _pick(COUNTRIES, "g / 11"),
            "city": _pick(["Paris", "Berlin", "London", "Austin", "Tokyo", "Madrid"], "g / 13"),
            "source": _pick(SOURCES, "g"),
            "status": status,
            "score": score,
            "rating": f"CASE WHEN {score} >= 70 THEN 'hot' WHEN {score} >= 40 THEN 'warm' ELSE 'cold' END",
            "scored_at": created,
            "mql_at": f"CASE WHEN {score} >= 50 THEN {created} + interval '1 day' END",
            "qualified_at": f"CASE WHEN {status} = 'qualified' THEN {created} + interval '3 days' END",
            "owner": owner,
            "created_at": created,
            "updated_at": created,
        },
    )
    with connection.cursor() as cursor:
        # Statistics first: on a never-analysed leads_lead the history's deferred foreign-key check plans its
        # `id = $1` lookup on lead_dashboard_cohort (id is its last column: a whole-index scan per row), not the pkey.
        cursor.execute("ANALYZE leads_lead")
        cursor.execute(
            "INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_by_id, changed_at, reason)"
            " SELECT id, '', status, owner_id, created_at, '' FROM leads_lead"
        )
    accounts = max(1, opportunities // 5)
    insert_series(
        Account,
        accounts,
        {
            "name": "'Account ' || g",
            "website": "'https://account' || g || '.example'",
            "domain": "'account' || g || '.example'",
            "normalized_name": "'account ' || g",
            "owner": f"({rep_ids})[1 + (g % {len(reps)})]",
            "created_at": created,
            "updated_at": created,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")  # the same for the deals' account check (account_owner_created)
    stages = list(Stage.objects.order_by("order").values_list("pk", "probability", "is_closed", "is_won"))
    stage_ids = "ARRAY[" + ", ".join(str(s[0]) for s in stages) + "]::bigint[]"
    stage = f"({stage_ids})[1 + (g % {len(stages)})]"
    first_account = Account.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    insert_series(
        Opportunity,
        opportunities,
        {
            "name": "'Deal ' || g",
            "account": f"{first_account} + (g % {accounts})",
            "amount": "((g % 200) * 500 + 1000)::numeric",
            "close_date": "(now() + make_interval(days => (g % 180) - 60))::date",
            "stage": stage,
            "probability": f"(SELECT probability FROM opportunities_stage WHERE id = {stage})",
            "owner": f"({rep_ids})[1 + (g % {len(reps)})]",
            "created_at": created,
            "updated_at": created,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE opportunities_opportunity o SET closed_at = o.updated_at FROM opportunities_stage s"
            " WHERE s.id = o.stage_id AND s.is_closed"
        )
    funnel_rollup.rebuild()  # also puts the triggers back
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return _people(admin, managers, reps, tokens, accounts=accounts, opportunities=opportunities)


def reuse() -> dict | None:
    """Who is who in a dataset an earlier run built (new tokens minted); None when there is none."""
    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        return None
    managers = [User.objects.get(username=f"bench-manager{t}") for t in range(TEAMS)]
    reps = [User.objects.get(username=f"bench-rep{n}") for n in range(REPS)]
    tokens = _mint_tokens([admin, managers[0], reps[0]])
    return _people(
        admin, managers, reps, tokens, accounts=Account.objects.count(), opportunities=Opportunity.objects.count()
    )


def _mint_tokens(users) -> dict[str, str]:
    """A new API token for each user, by username. Unthrottled in effect: the bench measures the server."""
    tokens = {}
    for user in users:
        raw = ApiToken.generate()
        ApiToken.objects.create(
            user=user, name="bench", prefix=raw[:8], digest=ApiToken.digest_of(raw), rate_limit=10_000_000
        )
        tokens[user.username] = raw
    return tokens


def _people(admin, managers, reps, tokens, *, accounts: int, opportunities: int) -> dict:
    return {
        "admin": admin,
        "managers": managers,
        "reps": reps,
        "tokens": tokens,
        "counts": {
            "leads": Lead.objects.count(),
            "lead_status_changes": LeadStatusChange.objects.count(),
            "accounts": accounts,
            "opportunities": opportunities,
            "reps": len(reps),
            "teams": TEAMS,
        },
    }
