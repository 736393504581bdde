"""factory-boy factories for every model."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account
from activities.models import Activity
from contacts.models import Contact
from leads.models import Lead
from opportunities.models import Opportunity, Stage
from users.models import Team, User

# Every factory-made user signs in with this.
PASSWORD = "correct horse battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    name = factory.Faker("name")
    role = User.Role.REP
    password = factory.django.Password(PASSWORD)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    manager = factory.SubFactory(UserFactory, role=User.Role.MANAGER)


class LeadFactory(DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"lead{n}@prospect{n}.example")
    company = factory.Faker("company")
    title = factory.Faker("job")
    source = Lead.Source.WEB
    status = Lead.Status.NEW


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Faker("company")
    website = factory.Sequence(lambda n: f"https://www.company{n}.example")
    domain = factory.Sequence(lambda n: f"company{n}.example")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@company.example")
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))
    stage = factory.LazyFunction(lambda: Stage.objects.get(name="Prospecting"))
    amount = "1000.00"


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.NOTE
    subject = factory.Faker("sentence", nb_words=4)


class AssignmentRuleFactory(DjangoModelFactory):
    class Meta:
        model = "assignment.AssignmentRule"

    name = factory.Sequence(lambda n: f"Rule {n}")
    order = factory.Sequence(lambda n: n + 1)
    active = True
    method = "round_robin"


class SequenceFactory(DjangoModelFactory):
    class Meta:
        model = "nurture.Sequence"

    name = factory.Sequence(lambda n: f"Sequence {n}")
    trigger = "manual"
    # Every day, all day: tests about windows set their own.
    send_days = "0123456"
    send_start_hour = 0
    send_end_hour = 24
    time_zone = "UTC"


class StepFactory(DjangoModelFactory):
    class Meta:
        model = "nurture.Step"

    sequence = factory.SubFactory(SequenceFactory)
    order = factory.Sequence(lambda n: n + 1)
    delay_days = 0
    subject = factory.Sequence(lambda n: f"Step {n} for {{{{ first_name }}}}")
    body_text = "Hello {{ first_name }} at {{ company }}."


def qualified_lead(owner, **fields) -> Lead:
    """A sales-qualified lead of Ada Lovelace at Acme owned by `owner`, ready to convert; `fields` override."""
    values = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@acme.example",
        "company": "Acme",
        "status": Lead.Status.QUALIFIED,
        "owner": owner,
    }
    values.update(fields)
    return LeadFactory(**values)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = "campaigns.Campaign"

    name = factory.Sequence(lambda n: f"Campaign {n}")
    type = "webinar"
    status = "in_progress"
    actual_cost = "1000.00"
