"""`manage.py reassign_open_leads <rep> --by <manager>`: hand a leaving rep's open leads to others by the rules."""

from django.core.management.base import BaseCommand, CommandError

from assignment.services import reassign_open_leads
from core.exceptions import ApplicationError
from users.models import User


class Command(BaseCommand):
    help = "Reassign every open lead of a rep (e.g. one who leaves) by the assignment rules."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The rep whose open leads move.")
        parser.add_argument("--by", required=True, help="The manager or admin doing it (recorded on the timeline).")

    def handle(self, *args, username: str, by: str, **options):
        try:
            from_user = User.objects.get(username=username)
            actor = User.objects.get(username=by)
        except User.DoesNotExist as exc:
            raise CommandError(f"No such user: {exc}") from exc
        try:
            result = reassign_open_leads(from_user, by=actor)
        except ApplicationError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"Reassigned {result.assigned_count} open leads of {username}; "
            f"{len(result.unassigned)} wait unassigned for a rep with room."
        )
