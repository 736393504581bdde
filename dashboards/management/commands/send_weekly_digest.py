"""`manage.py send_weekly_digest`: send the weekly manager digests that are due, or one user's right now."""

from django.core.management.base import BaseCommand, CommandError

from dashboards.digest import send_digest_now, send_weekly_digests
from users.models import User


class Command(BaseCommand):
    help = "Send the weekly digests due now (as the beat does), or --user NAME --now to send one on demand."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", help="Username of the one user to send a digest to.")
        parser.add_argument("--now", action="store_true", help="With --user: send this week's digest now, due or not.")

    def handle(self, *args, user=None, now=False, **options) -> None:
        if now and not user:
            raise CommandError("--now needs --user NAME.")
        if user:
            person = User.objects.filter(username=user, is_active=True).first()
            if person is None:
                raise CommandError(f"No active user named {user!r}.")
            if not person.email:
                raise CommandError(f"{user} has no email address.")
            if not now:
                raise CommandError("Give --now to send a digest on demand; without --user, due digests are sent.")
            send_digest_now(person)
            self.stdout.write(f"Sent the weekly digest to {person.email}.")
            return
        sent = send_weekly_digests()
        self.stdout.write(f"Sent {sent} weekly digest(s).")
