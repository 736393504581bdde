"""Query-parameter filters of the leads API (API.md "Lists")."""

from django_filters import rest_framework as filters

from core.filters import DateTimeFilter, IntegerFilter, ProbabilityFilter
from core.text import normalize_email
from leads.models import Lead, LeadSource
from leads.selectors import sla_condition
from users.models import User


def visible_users(request):
    return User.objects.visible_to(request.user) if request is not None else User.objects.none()


class LeadFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Lead.Status.choices)
    source = filters.ChoiceFilter(choices=LeadSource.choices)
    rating = filters.ChoiceFilter(choices=Lead.Rating.choices)
    grade = filters.ChoiceFilter(choices=Lead.Grade.choices)
    owner = filters.ModelChoiceFilter(queryset=visible_users)
    unassigned = filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label="Only leads without an owner")
    score__gte = IntegerFilter(field_name="score", lookup_expr="gte")
    score__lte = IntegerFilter(field_name="score", lookup_expr="lte")
    created_at__gte = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = DateTimeFilter(field_name="created_at", lookup_expr="lte")
    conversion_probability_min = ProbabilityFilter(field_name="conversion_probability", lookup_expr="gte")
    conversion_probability_max = ProbabilityFilter(field_name="conversion_probability", lookup_expr="lte")
    do_not_contact = filters.BooleanFilter()
    email = filters.CharFilter(method="filter_email", label="Exact email, case-insensitive")
    sla = filters.ChoiceFilter(
        choices=[("breached", "SLA breached"), ("at_risk", "SLA at risk")],
        method="filter_sla",
        label="First touch: breached (untouched past the target) or at risk (less than 25% of the target left)",
    )

    class Meta:
        model = Lead
        fields = ["status", "source", "rating", "grade", "owner", "unassigned", "do_not_contact", "email", "sla"]

    def filter_sla(self, queryset, name, value):
        return queryset.filter(sla_condition(value))

    def filter_email(self, queryset, name, value):
        # Emails are stored normalised, so an exact match on the normalised value uses the index.
        return queryset.filter(email=normalize_email(value))
