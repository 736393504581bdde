"""Email backends for tests: one that refuses every message, one that is slow per message."""

import os
import time
from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPRecipientsRefused({"x@example.com": (550, b"refused")})


class SlowFileBackend(FileBackend):
    """Writes each message to the mail folder after a pause, so a test can kill the sender mid-batch."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("FUNNEL_TEST_SEND_DELAY", "0.05")))
        return super().send_messages(email_messages)
