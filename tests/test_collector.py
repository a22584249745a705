"""The collector pause: restores the collector as it was, and freezes only what lives on."""

from __future__ import annotations

import gc

import pytest

from qsql.collector import collector_paused


def test_the_collector_is_off_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_restored_when_the_block_raises() -> None:
    with pytest.raises(ValueError), collector_paused(lifelong=True):
        raise ValueError("boom")
    assert gc.isenabled()


def test_only_lifelong_blocks_freeze_what_they_made() -> None:
    before = gc.get_freeze_count()
    try:
        with collector_paused():
            made = [[index] for index in range(1000)]
        assert gc.get_freeze_count() == before
        with collector_paused(lifelong=True):
            made = [[index] for index in range(1000)]
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        gc.unfreeze()
