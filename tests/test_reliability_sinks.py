"""Reliability of file sinks: the atomic replace keeps what the user pointed at,
a killed writer's leftovers are cleaned, and a directory overwrite never loses the old data.
Marked ``reliability``."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qsql.connectors import filesystem
from qsql.errors import SinkError

from .conftest import SqlRunner

pytestmark = pytest.mark.reliability


def sink(name: str, path: Path | str, fmt: str = "csv") -> str:
    return (
        f"CREATE TEMPORARY TABLE {name} (id INT, s STRING) "
        f"WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = '{fmt}');"
    )


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("verb", ["INTO", "OVERWRITE"])
def test_replacing_a_file_keeps_its_mode(sql: SqlRunner, tmp_path: Path, verb: str) -> None:
    out = tmp_path / "secret.csv"
    out.write_text("0,old\n")
    out.chmod(0o600)
    sql(sink("t", out) + f"INSERT {verb} t VALUES (1, 'new');")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().endswith("1,new\n")


def test_a_new_file_gets_the_usual_mode(sql: SqlRunner, tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        sql(sink("t", tmp_path / "new.csv") + "INSERT INTO t VALUES (1, 'a');")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


@pytest.mark.parametrize("verb", ["INTO", "OVERWRITE"])
def test_a_symlink_is_followed_and_kept(sql: SqlRunner, tmp_path: Path, verb: str) -> None:
    real = tmp_path / "data" / "real.csv"
    real.parent.mkdir()
    real.write_text("0,old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    sql(sink("t", link) + f"INSERT {verb} t VALUES (1, 'new');")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == ("0,old\n1,new\n" if verb == "INTO" else "1,new\n")
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link.csv"]


def test_a_fifo_a_socket_and_a_device_are_refused_and_left_alone(sql: SqlRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    server = socket.socket(socket.AF_UNIX)
    sock = tmp_path / "sock"
    server.bind(str(sock))
    stdout_like = tmp_path / "stdout"
    stdout_like.symlink_to("/dev/null")  # what /dev/stdout is: a link to a device
    try:
        for number, target in enumerate((fifo, sock, stdout_like)):
            sql(sink(f"t{number}", target))
            with pytest.raises(SinkError) as info:
                sql(f"INSERT INTO t{number} VALUES (1, 'a');")
            assert "not a regular file" in info.value.message and str(target) in info.value.message
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and stat.S_ISSOCK(sock.lstat().st_mode)
        assert stdout_like.is_symlink() and os.readlink(stdout_like) == "/dev/null"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "sock", "stdout"]
    finally:
        server.close()


def test_the_file_and_its_directory_are_fsynced_before_the_rename(
    sql: SqlRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "fsync-file")
        real_fsync(descriptor)

    def replace(source: object, target: object) -> None:
        events.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    sql(sink("t", tmp_path / "out.csv") + "INSERT INTO t VALUES (1, 'a');")
    assert "rename" in events
    before = events[: events.index("rename")]
    assert "fsync-file" in before and "fsync-dir" in before


def test_a_killed_writers_temporary_files_are_removed_and_a_live_ones_kept(sql: SqlRunner, tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    out = tmp_path / "out.csv"
    stale = [
        tmp_path / f".out.csv.qsql-{dead}-0123456789ab.tmp",
        tmp_path / f".other.csv.qsql-{dead}-0123456789ab.tmp",
    ]
    live = tmp_path / f".out.csv.qsql-{alive}-0123456789ab.tmp"
    for path in (*stale, live):
        path.write_text("half written\n")
    sql(sink("t", out) + "INSERT INTO t VALUES (1, 'a');")
    assert not any(p.exists() for p in stale) and live.exists()
    parts = tmp_path / "parts"
    parts.mkdir()
    stale_part = parts / f".part-0000.csv.{dead}.inprogress"
    stale_part.write_text("half\n")
    sql(sink("d", parts) + "INSERT INTO d VALUES (1, 'a');")
    assert not stale_part.exists()
    assert [p.suffix for p in parts.iterdir()] == [".csv"]


def _parts(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in directory.iterdir()}


def test_a_directory_overwrite_killed_before_its_rename_keeps_the_old_data(
    sql: SqlRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "d"
    directory.mkdir()
    sql(sink("t", directory) + "INSERT INTO t VALUES (1, 'old'); INSERT INTO t VALUES (2, 'old');")
    old = _parts(directory)
    assert len(old) == 2

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies right here

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        sql("INSERT OVERWRITE t VALUES (3, 'new');")
    monkeypatch.undo()
    visible = {name: text for name, text in _parts(directory).items() if not name.startswith(".")}
    assert visible == old


def test_a_directory_overwrite_killed_after_its_rename_is_finished_by_the_next_sink(
    sql: SqlRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "d"
    directory.mkdir()
    sql(sink("t", directory) + "INSERT INTO t VALUES (1, 'old'); INSERT INTO t VALUES (2, 'old');")

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(filesystem, "_finish_overwrite", killed)
    with pytest.raises(KeyboardInterrupt):
        sql("INSERT OVERWRITE t VALUES (3, 'new');")
    monkeypatch.undo()
    # Old and new are both there (nothing lost); the manifest names what is to go. Pretend
    # its writer died (a manifest of a live process is left alone), then open a sink there.
    manifest = next(p for p in directory.iterdir() if p.name.startswith(".qsql-overwrite-"))
    manifest.rename(directory / manifest.name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-"))
    sql("INSERT INTO t VALUES (4, 'later');")
    rows = sorted(line for text in _parts(directory).values() for line in text.splitlines())
    assert rows == ["3,new", "4,later"]
