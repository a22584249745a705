"""Kill tests: SIGINT, SIGTERM, SIGHUP and SIGKILL in the middle of an INSERT leave
the old file intact, and no temporary file survives the next run; --stub stops without
asyncio noise. Real ``qsql`` processes against the offline stub. Marked ``reliability``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qsql.interrupts import InterruptHandler, Terminated
from tests.conftest import CliRunner

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parent.parent
OLD = "0,old\n"
NOISE = ("Traceback", "Task was destroyed", "Exception in callback", "never retrieved", "Exception ignored")


def _script(tmp_path: Path, rows: str) -> Path:
    script = tmp_path / "job.sql"
    script.write_text(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
        f"CREATE TEMPORARY TABLE out_t (id INT, c STRING) WITH ('connector' = 'filesystem', "
        f"'path' = '{tmp_path / 'out.csv'}', 'format' = 'csv');\n"
        f"CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES {rows}) AS t(id, s);\n"
        "INSERT OVERWRITE out_t SELECT id, content FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(s));\n",
        encoding="utf-8",
    )
    return script


def _temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".out.csv."))


def _start_hanging_insert(tmp_path: Path) -> subprocess.Popen:
    """A qsql INSERT that has opened its sink and waits for replies that take a minute."""
    (tmp_path / "out.csv").write_text(OLD)
    script = _script(tmp_path, "(1, 'a [[stub:delay=60000]]'), (2, 'b [[stub:delay=60000]]')")
    process = subprocess.Popen(
        [sys.executable, "-m", "qsql", "run", "--stub", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not _temporaries(tmp_path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the INSERT never opened its sink: " + process.communicate()[1])
        time.sleep(0.05)
    time.sleep(0.3)  # let the requests reach the stub
    return process


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err


@pytest.mark.parametrize(
    "signum, code, word",
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated"), (signal.SIGHUP, 129, "terminated")],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_signal_mid_insert_cleans_up_like_ctrl_c(tmp_path: Path, signum: int, code: int, word: str) -> None:
    process = _start_hanging_insert(tmp_path)
    process.send_signal(signum)
    returncode, err = _finish(process)
    assert returncode == code, err
    assert word in err and not any(noise in err for noise in NOISE), err
    assert (tmp_path / "out.csv").read_text() == OLD
    assert _temporaries(tmp_path) == []


def test_a_second_ctrl_c_during_clean_up_prints_no_traceback(tmp_path: Path) -> None:
    process = _start_hanging_insert(tmp_path)
    process.send_signal(signal.SIGINT)
    time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    returncode, err = _finish(process)
    assert returncode == 130 and not any(noise in err for noise in NOISE), err
    assert (tmp_path / "out.csv").read_text() == OLD
    assert _temporaries(tmp_path) == []


def test_after_sigkill_the_old_file_is_intact_and_the_next_run_removes_the_temporary(
    tmp_path: Path, cli: CliRunner
) -> None:
    process = _start_hanging_insert(tmp_path)
    process.kill()
    process.wait(timeout=60)
    assert (tmp_path / "out.csv").read_text() == OLD
    assert _temporaries(tmp_path)  # SIGKILL cannot be handled: the temporary is still there
    script = _script(tmp_path, "(1, 'a')")
    done = cli("run", "--stub", str(script))  # the next run needs no process of its own
    assert done.returncode == 0, done.stderr
    assert _temporaries(tmp_path) == []
    assert (tmp_path / "out.csv").read_text().startswith("1,")


def test_a_failing_statement_with_the_stub_stops_without_noise(tmp_path: Path) -> None:
    (tmp_path / "out.csv").write_text(OLD)
    script = _script(
        tmp_path, "(1, 'a [[stub:delay=3000]]'), (2, 'b [[stub:status=400]]'), (3, 'c [[stub:delay=3000]]')"
    )
    done = subprocess.run(
        [sys.executable, "-m", "qsql", "run", "--stub", str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1 and "HTTP 400" in done.stderr
    assert not any(noise in done.stderr for noise in NOISE), done.stderr
    assert (tmp_path / "out.csv").read_text() == OLD and _temporaries(tmp_path) == []


def test_a_second_signal_during_clean_up_is_not_raised() -> None:
    handler = InterruptHandler()
    with pytest.raises(KeyboardInterrupt):
        handler._handle(signal.SIGINT, None)
    handler._handle(signal.SIGINT, None)  # while cleaning up: noted, not raised
    handler.rearm()
    with pytest.raises(Terminated) as caught:
        handler._handle(signal.SIGTERM, None)
    assert caught.value.signum == signal.SIGTERM


def test_a_signal_during_a_held_step_arrives_after_it() -> None:
    """A Ctrl-C in the middle of building the event loop used to leave a half-built loop (noise
    at exit): the step finishes, then the interrupt is raised."""
    from qsql.interrupts import signals_held

    finished = []
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler would run here, between bytecodes
            finished.append(True)
        time.sleep(0.05)  # delivered after the step
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupt_stops_the_progress_bar(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from qsql import cli, progress
    from qsql.session import Session

    stopped: list[bool] = []

    class Bar:
        def __call__(self, stats: object) -> None:
            pass

        def stop(self) -> None:
            stopped.append(True)

    def interrupted(self: Session, text: str, name: str = "") -> object:
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(progress, "PredictProgress", Bar)
    monkeypatch.setattr(Session, "execute", interrupted)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        assert cli.main(["-e", "SELECT 1;"]) == 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert stopped


def test_sigterm_in_the_shell_cancels_the_statement_and_leaves(tmp_path: Path) -> None:
    import pexpect

    (tmp_path / "out.csv").write_text(OLD)
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="120")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "qsql", "--stub"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    try:
        child.expect("qsql>")
        statements = _script(tmp_path, "(1, 'a [[stub:delay=60000]]')").read_text().replace("\n", " ")
        child.sendline(statements)
        deadline = time.monotonic() + 60
        while not _temporaries(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _temporaries(tmp_path), child.before
        child.kill(signal.SIGTERM)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 143, child.before
        assert not any(noise in child.before for noise in NOISE), child.before
    finally:
        if child.isalive():
            child.terminate(force=True)
    assert (tmp_path / "out.csv").read_text() == OLD and _temporaries(tmp_path) == []
