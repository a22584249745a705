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

from .ratelimit import Clock, RateController, Slot


class RateAdmission:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._controllers: dict[str, tuple[tuple[Any, ...], RateController]] = {}

    def for_model(
        self, name: str, max_concurrency: int, requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
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
        return controller

    @asynccontextmanager
    async def attempt(self, ticket: Any) -> AsyncIterator[Slot]:
        known = self._controllers.get(str(ticket.model).lower())
        if known is None:
            yield Slot()
            return
        async with known[1].attempt(int(getattr(ticket, "estimated_tokens", 0) or 0)) as slot:
            yield slot
