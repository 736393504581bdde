"""HTML forms of the leads pages."""

from __future__ import annotations

from django import forms

from leads.models import Lead, LeadSource
from leads.qualification import QUALIFICATION_FIELDS, framework_fields
from leads.selectors import LEAD_SORTS, LeadFilters
from leads.services.capture import EDITABLE_FIELDS
from users.models import User

STATUS_CHOICES_FOR_REPS = [(value, label) for value, label in Lead.Status.choices if value != Lead.Status.CONVERTED]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def owner_queryset(user: User):
    """Owners `user` may pick: themselves and the people they can see (managers: their teams)."""
    return User.objects.visible_to(user).filter(is_active=True).order_by("username")


class LeadFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.ChoiceField(
        required=False, choices=[("open", "Open"), ("all", "Any status"), *Lead.Status.choices], initial="open"
    )
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *LeadSource.choices])
    rating = forms.ChoiceField(required=False, choices=[("", "Any rating"), *Lead.Rating.choices])
    # The milestone (`mql_at`, the funnel's MQL count), not the badge: a lead whose score fell keeps its milestone.
    mql = forms.ChoiceField(
        required=False,
        label="MQL",
        choices=[("", "MQL or not"), ("yes", "Reached MQL"), ("no", "Never MQL")],
    )
    sql = forms.ChoiceField(
        required=False, label="SQL", choices=[("", "SQL or not"), ("yes", "SQL (qualified)"), ("no", "Not SQL")]
    )
    won = forms.ChoiceField(required=False, label="Won", choices=[("", "Won or not"), ("yes", "Won")])
    # Bands of the predictive score (leads.selectors.CHANCE_BANDS); "none": not predicted (no model, or closed).
    chance = forms.ChoiceField(
        required=False,
        label="Win chance",
        choices=[
            ("", "Any win chance"),
            ("likely", "Likely (50% or more)"),
            ("possible", "Possible (20-50%)"),
            ("unlikely", "Unlikely (under 20%)"),
            ("none", "No prediction"),
        ],
    )
    # leads.selectors.sla_condition: "at risk" = less than a quarter of the first-touch target left.
    sla = forms.ChoiceField(
        required=False,
        label="First touch",
        choices=[("", "Any first touch"), ("breached", "SLA breached"), ("at_risk", "SLA at risk")],
    )
    owner = forms.ChoiceField(required=False, initial="me")
    created_from = forms.DateField(required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label="Created to", widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, choices=list(LEAD_SORTS.items()), initial="-created_at")
    # The import result page's link: the leads that import created or updated, among those the user may see.
    import_job = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    # The dashboard's funnel links name the cohort range as the dashboard does.
    ALIASES = {"created_after": "created_from", "created_before": "created_to"}

    def __init__(self, data=None, *args, user: User, owners: list[User], **kwargs):
        if data is not None and any(alias in data for alias in self.ALIASES):
            data = data.copy()
            for alias, name in self.ALIASES.items():
                if alias in data:
                    value = data.pop(alias)[-1]
                    data.setdefault(name, value)
        super().__init__(data, *args, **kwargs)
        # A manager opens on their teams' leads (what they manage), a rep on their own.
        self.default_owner = "any" if user.can_manage else "me"
        self.fields["owner"].initial = self.default_owner
        choices = [("me", "My leads")]
        if user.can_manage:
            choices += [("any", "Everyone I can see"), ("unassigned", "Unassigned")]
            choices += [(str(u.pk), u.display_name) for u in owners if u.pk != user.pk]
        self.fields["owner"].choices = choices

    def to_filters(self) -> tuple[LeadFilters, str]:
        # A bad value drops only its own filter: cleaned_data keeps the fields that parsed.
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        filters = LeadFilters(
            status=data.get("status") or "open",
            source=data.get("source") or "",
            rating=data.get("rating") or "",
            mql=data.get("mql") or "",
            sql=data.get("sql") or "",
            won=data.get("won") or "",
            chance=data.get("chance") or "",
            sla=data.get("sla") or "",
            owner=data.get("owner") or self.default_owner,
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            q=data.get("q") or "",
            import_job=data.get("import_job"),
        )
        return filters, data.get("sort") or "-created_at"


class LeadForm(forms.ModelForm):
    """Create or edit a lead; managers also pick the owner."""

    class Meta:
        model = Lead
        # The qualification checklist has its own panel on the lead page (QualificationForm).
        fields = [*(name for name in EDITABLE_FIELDS if name not in QUALIFICATION_FIELDS), "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.can_manage:
            self.fields["owner"] = OwnerChoiceField(
                queryset=owner_queryset(user), required=False, empty_label="Unassigned"
            )
            if self.instance.pk:
                self.fields["owner"].initial = self.instance.owner_id
        else:
            del self.fields["owner"]

    def _post_clean(self):
        # The service validates the model and its uniqueness rules; the form only parses fields.
        pass


class QualificationForm(forms.ModelForm):
    """The lead page's qualification checklist: the answers of the installation's framework (BANT or MEDDIC)."""

    LONG_ANSWERS = ("need", "metrics", "decision_criteria", "decision_process", "identify_pain")

    class Meta:
        model = Lead
        fields = QUALIFICATION_FIELDS
        labels = {
            "budget_amount": "Budget",
            "budget_confirmed": "Budget confirmed",
            "authority": "Authority (decision maker's role)",
            "timeline_date": "Timeline (expected purchase date)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = framework_fields()
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
            elif name in self.LONG_ANSWERS:
                self.fields[name].widget = forms.Textarea(attrs={"rows": 2, "maxlength": 1000})
        if "timeline_date" in self.fields:
            self.fields["timeline_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if "budget_amount" in self.fields:
            self.fields["budget_amount"].min_value = 0
            self.fields["budget_amount"].widget.attrs["min"] = 0

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES_FOR_REPS)
    reason = forms.CharField(required=False, max_length=255, label="Reason (for unqualified)")

    def clean(self):
        data = super().clean()
        if data.get("status") == Lead.Status.UNQUALIFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the lead is unqualified.")
        return data


class BulkForm(forms.Form):
    ACTIONS = [("status", "Set status"), ("reassign", "Reassign")]

    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], error_messages={"required": "Select some leads first."}
    )
    action = forms.ChoiceField(choices=ACTIONS)
    status = forms.ChoiceField(required=False, choices=[("", "—"), *STATUS_CHOICES_FOR_REPS])
    reason = forms.CharField(required=False, max_length=255)
    owner = forms.ChoiceField(required=False, choices=[])
    confirm = forms.BooleanField(required=False)

    MAX_LEADS = 200

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        raw_ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        self.fields["ids"].choices = [(value, value) for value in raw_ids if str(value).isdigit()]
        self.owners = list(owner_queryset(user)) if user.can_manage else []
        self.fields["owner"].choices = [("", "—"), *((str(u.pk), u.display_name) for u in self.owners)]
        if not user.can_manage:
            self.fields["action"].choices = [("status", "Set status")]

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > self.MAX_LEADS:
            raise forms.ValidationError(f"Pick at most {self.MAX_LEADS} leads at a time.")
        return ids

    def clean(self):
        data = super().clean()
        if data.get("action") == "status":
            if not data.get("status"):
                self.add_error("status", "Pick the new status.")
            elif data["status"] == Lead.Status.UNQUALIFIED and not (data.get("reason") or "").strip():
                self.add_error("reason", "Say why the leads are unqualified.")
        if data.get("action") == "reassign":
            if not data.get("owner"):
                self.add_error("owner", "Pick the new owner.")
            else:
                data["owner_user"] = next(u for u in self.owners if str(u.pk) == data["owner"])
        return data
