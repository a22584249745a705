"""What ``qsql -e 'SELECT 1'`` loads: start-up time is mostly imports, so the heavy modules a
statement does not need must stay unloaded (bench/startup_bench.py measures the time)."""

from __future__ import annotations

import subprocess
import sys

from qsql.connectors import CONNECTORS

NOT_FOR_SELECT_1 = (
    "httpx",
    "asyncio",
    "prompt_toolkit",
    "rich",
    "tomllib",
    "email.utils",
    "csv",
    "sqlite3",
    "qsql.connectors.filesystem",
    "qsql.connectors.datagen",
    "qsql.models.options",
    "qsql.models.predict",
)


def test_connectors_are_looked_up_by_identifier() -> None:
    assert sorted(CONNECTORS) == ["blackhole", "datagen", "filesystem", "print"]
    for identifier in CONNECTORS:
        assert CONNECTORS[identifier].identifier == identifier
    assert CONNECTORS.get("kafka") is None


def test_select_1_loads_none_of_the_heavy_modules() -> None:
    probe = (
        "import sys\n"
        "from qsql.cli import main\n"
        "code = main(['-q', '-e', 'SELECT 1'])\n"
        f"print(code, [m for m in {NOT_FOR_SELECT_1!r} if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_the_collector_is_paused_only_for_the_block() -> None:
    import gc

    from qsql.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
