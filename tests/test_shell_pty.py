"""The real `qsql` shell under a pseudo-terminal: multi-line input, Ctrl-C on a slow ML_PREDICT,
and the next statement still works."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def slow_stub() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "qsql", "stub", "--port", "0", "--latency-ms", "5000"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("LISTENING ")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        process.terminate()
        process.wait(10)


def test_ctrl_c_cancels_a_slow_statement_and_the_shell_goes_on(slow_stub: str, tmp_path: Path) -> None:
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", DASHSCOPE_API_KEY="sk-test", COLUMNS="120")
    child = pexpect.spawn(
        sys.executable, ["-m", "qsql"], cwd=str(ROOT), env=env, encoding="utf-8", timeout=20, dimensions=(40, 120)
    )
    try:
        child.expect("HELP for help")
        child.expect("qsql>")
        child.send("CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING)\r")  # unfinished: Enter adds a line
        child.expect(r"\.\.\.>")  # the continuation prompt
        child.send(f"WITH ('provider' = 'qwen', 'endpoint' = '{slow_stub}', 'model' = 'qwen-plus');\r")
        child.expect(r"\[INFO\] Model 'm' created\.")
        child.send("CREATE VIEW v (id, t) AS VALUES (1, 'a'), (2, 'b');\r")
        child.expect(r"\[INFO\] View 'v' created\.")
        started = time.monotonic()
        child.send("SELECT * FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(t));\r")
        time.sleep(1.5)
        child.sendintr()
        child.expect("interrupted")
        assert time.monotonic() - started < 5  # it did not wait for the 5 s replies
        child.send("SELECT 40 + 2 AS answer;\r")
        child.expect("42")
        child.expect("1 row in set")
        child.send("\x04")  # Ctrl-D leaves with code 0
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_special_commands_in_the_real_shell(tmp_path: Path) -> None:
    """Under a real terminal: an unknown backslash command answers at once, \\format and \\x
    change the next result, \\q leaves."""
    env = dict(
        os.environ,
        PROMPT_TOOLKIT_NO_CPR="1",
        TERM="xterm",
        COLUMNS="120",
        PAGER="cat",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    child = pexpect.spawn(
        sys.executable, ["-m", "qsql"], cwd=str(ROOT), env=env, encoding="utf-8", timeout=20, dimensions=(40, 120)
    )
    try:
        child.expect("qsql>")
        child.send("\\zz\r")
        child.expect(r"unknown command \\zz")
        child.send("\\format csv\r")
        child.expect("output format: csv")
        child.send("SELECT 40 + 2 AS answer, 'x' AS s;\r")
        child.expect("answer,s")
        child.expect("42,x")
        child.send("\\x\r")
        child.expect("expanded display is on")
        child.send("\\format table\r")
        child.send("SELECT 7 AS seven;\r")
        child.expect(r"-\[ RECORD 1 \]")
        child.expect(r"seven \| 7")
        child.send("\\q\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
