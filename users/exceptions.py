"""Domain errors of sign-in."""

from __future__ import annotations

from core.exceptions import ApplicationError


class WrongTwoFactorCode(ApplicationError):
    code = "two_factor_code_wrong"
    status_code = 400
    default_detail = (
        "That code is not right: enter the 6-digit code your authenticator app shows now, or one of your recovery "
        "codes."
    )


class TwoFactorLocked(ApplicationError):
    code = "two_factor_locked"
    status_code = 429
    default_detail = "Too many wrong codes: try again in {minutes} minutes."

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(minutes=max(1, -(-retry_after // 60)))
