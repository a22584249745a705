"""'did you mean ...?': the one hint for a mistyped name, worded the same everywhere (option
keys, providers, connectors and their options, functions, types, tables, models and columns)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import get_close_matches


def did_you_mean(
    name: str, candidates: Iterable[str], *, spelled: Callable[[str], str] = lambda candidate: candidate
) -> str | None:
    """ "did you mean 'x'?" for the candidate closest to ``name``, or None when none is close.

    A candidate that differs only in case is named first, with the reason it did not match
    (where a lookup folds case, ``name`` arrives folded and this never fires). ``spelled`` shows a
    candidate as the user should write it (an alias as its option's own key)."""
    choices = list(candidates)
    by_lower = {c.lower(): c for c in choices}
    if name.lower() in by_lower and by_lower[name.lower()] != name:
        return f"did you mean '{spelled(by_lower[name.lower()])}'? (names are case-sensitive)"
    close = get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{spelled(close[0])}'?" if close else None
