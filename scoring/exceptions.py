"""Domain errors of scoring."""

from __future__ import annotations

from core.exceptions import ApplicationError


class NotEnoughHistory(ApplicationError):
    """Too few closed leads (converted or unqualified) to train the predictive conversion model.

    409 Conflict, not 400: the request is well-formed, but the data in the system does not allow it yet; the same
    request succeeds once enough leads have closed. `needed` is the minimum, `have` how many there are; when
    `have` reaches it but every closed lead had the same outcome, the detail says both outcomes are needed.
    """

    code = "not_enough_history"
    status_code = 409
    default_detail = (
        "The predictive model needs {needed} closed leads (converted or unqualified) to learn from; "
        "there are {have}, so {missing} more are needed."
    )

    def __init__(self, detail: str | None = None, *, needed: int, have: int) -> None:
        self.needed = needed
        self.have = have
        super().__init__(detail, needed=needed, have=have, missing=max(0, needed - have))

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.have)
