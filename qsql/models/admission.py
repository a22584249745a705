"""The session's admission control around every HTTP attempt: one :class:`RateController` per
model, so declared limits and what was learned about the provider's quota carry over from one
statement to the next.

It plugs into the model package's admission hook: ``async with admission.attempt(ticket) as
slot`` around each attempt, ``ticket.model`` naming the SQL model and ``ticket.estimated_tokens``
its prompt estimate; the caller fills in ``slot.status``, ``slot.code`` and the token counts.
A model ML_PREDICT has not announced (:meth:`RateAdmission.for_model`) is admitted at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .hooks import Admission, Slot, Ticket
from .ratelimit import Clock, RateController


class RateAdmission(Admission):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._controllers: dict[str, tuple[tuple[Any, ...], RateController]] = {}
        self._extra: dict[str, int] = {}  # tokens every request carries besides its input (the system prompt)

    def for_model(
        self,
        name: str,
        max_concurrency: int,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        extra_tokens: int = 0,
    ) -> RateController:
        """The model's controller for a new statement (made anew when its declared limits changed)."""
        limits = (requests_per_minute, tokens_per_minute)
        known = self._controllers.get(name.lower())
        if known is None or known[0] != limits:
            controller = RateController(self.clock, max_concurrency, requests_per_minute, tokens_per_minute)
            self._controllers[name.lower()] = (limits, controller)
        else:
            controller = known[1]
            controller.set_max_concurrency(max_concurrency)
        controller.new_report()
        self._extra[name.lower()] = extra_tokens
        return controller

    def in_flight(self) -> int:
        """Requests on the wire now, over every model."""
        return sum(controller.in_flight for _, controller in self._controllers.values())

    @asynccontextmanager
    async def attempt(self, ticket: Ticket) -> AsyncIterator[Slot]:
        known = self._controllers.get(str(ticket.model).lower())
        if known is None:
            yield Slot()
            return
        estimate = int(getattr(ticket, "estimated_tokens", 0) or 0) + self._extra.get(str(ticket.model).lower(), 0)
        async with known[1].attempt(estimate) as slot:
            yield slot
