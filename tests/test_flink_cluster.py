"""``qsql run --engine flink --flink-address``: the samples on a real standalone Flink cluster.

The cluster is the PyFlink wheel's own distribution (bin/jobmanager.sh + bin/taskmanager.sh),
configured on 127.0.0.1 with free ports, started once for this module and stopped by its PIDs.
The client is the real ``qsql`` command in a subprocess; print-sink rows land in the
TaskManager's stdout, which the test reads over Flink's REST API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qsql.cli import main
from tests.flink.support import pyflink_home, skip_reason

ROOT = Path(__file__).resolve().parent.parent
REASON = skip_reason()
pytestmark = [pytest.mark.flink, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JobManager and one TaskManager on loopback; yields the REST address HOST:PORT."""
    home = pyflink_home()
    work = tmp_path_factory.mktemp("flink-cluster")
    conf = work / "conf"
    shutil.copytree(home / "conf", conf)
    java_opts = re.search(r"^\s*all:\s*(.+)$", (home / "conf" / "config.yaml").read_text(), re.M)
    rest_port, rpc_port = free_port(), free_port()
    settings = {
        "jobmanager.bind-host": "127.0.0.1",
        "jobmanager.rpc.address": "127.0.0.1",
        "jobmanager.rpc.port": rpc_port,
        "taskmanager.bind-host": "127.0.0.1",
        "taskmanager.host": "127.0.0.1",
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "rest.port": rest_port,
        "jobmanager.memory.process.size": "1024m",
        "taskmanager.memory.process.size": "1280m",
        "taskmanager.numberOfTaskSlots": 2,
        "parallelism.default": 1,
    }
    lines = [f"env.java.opts.all: {java_opts.group(1).strip()}"] if java_opts else []
    lines += [f"{key}: {value}" for key, value in settings.items()]
    (conf / "config.yaml").write_text("\n".join(lines) + "\n")
    env = dict(
        os.environ,
        FLINK_CONF_DIR=str(conf),
        FLINK_LOG_DIR=str(work / "log"),
        FLINK_PID_DIR=str(work / "pid"),
        FLINK_IDENT_STRING="qsqltest",
    )
    for directory in ("log", "pid"):
        (work / directory).mkdir()
    address = f"127.0.0.1:{rest_port}"
    try:
        for script in ("jobmanager.sh", "taskmanager.sh"):
            subprocess.run(
                ["bash", str(home / "bin" / script), "start"], env=env, check=True, capture_output=True, timeout=120
            )
        deadline = time.monotonic() + 240
        while True:
            try:
                if get_json(f"http://{address}/overview").get("taskmanagers") == 1:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in (work / "log").glob("*.log"))
                pytest.fail(f"the standalone cluster did not come up in 240 s:\n{logs}")
            time.sleep(1)
        yield address
    finally:
        pids = [int(pid) for f in (work / "pid").glob("*.pid") for pid in f.read_text().split()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in pids:
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.2)
            else:
                os.kill(pid, signal.SIGKILL)


def test_samples_run_on_a_standalone_cluster(
    cluster: str,
    flink_provider_jar: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = tmp_path / "remote"
    shutil.copytree(ROOT / "samples", workspace / "samples", ignore=shutil.ignore_patterns("out"))
    scripts = ["samples/desensitize.sql", "samples/reviews.sql"]
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qsql",
            "run",
            "--engine",
            "flink",
            "--flink-address",
            cluster,
            "--flink-jar",
            str(flink_provider_jar),
            "--stub",
            *scripts,
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the rows are on the cluster, not here
    managers = get_json(f"http://{cluster}/taskmanagers")["taskmanagers"]
    stdout_url = f"http://{cluster}/taskmanagers/{managers[0]['id']}/stdout"
    assert f"print sink rows of print_sink went to the TaskManager's stdout: {stdout_url}" in done.stderr
    assert len(re.findall(r"\[INFO\] Job [0-9a-f]{32} finished", done.stderr)) == 2
    with urllib.request.urlopen(stdout_url, timeout=5) as response:
        printed = response.read().decode("utf-8").splitlines()

    monkeypatch.chdir(tmp_path)
    assert main(["run", "--stub", str(ROOT / "samples/desensitize.sql")]) == 0
    expected = capsys.readouterr().out.splitlines()
    assert printed == expected == (ROOT / "samples/desensitize.stub.out").read_text().splitlines()
    parts = (workspace / "samples/out/reviews_enriched.jsonl").iterdir()
    written = sorted(line for part in parts for line in part.read_text().splitlines())
    assert written == sorted((ROOT / "samples/reviews.expected.jsonl").read_text().splitlines())
    print(f"standalone cluster run of {', '.join(scripts)}: {elapsed:.1f}s")


def test_ctrl_c_cancels_the_job_on_the_cluster(cluster: str, flink_provider_jar: Path, tmp_path: Path) -> None:
    script = tmp_path / "slow.sql"
    script.write_text(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
        "CREATE TEMPORARY VIEW v(id, txt) AS VALUES (1, 'slow [[stub:delay=120000]]');\n"
        "CREATE TEMPORARY TABLE s (id INT, content STRING) WITH ('connector' = 'print');\n"
        "INSERT INTO s SELECT id, content FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt));\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qsql",
            "run",
            "--engine",
            "flink",
            "--flink-address",
            cluster,
            "--flink-jar",
            str(flink_provider_jar),
            "--stub",
            str(script),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        job_id = None
        for line in process.stderr:  # ends when the process does, so this loop is bounded
            match = re.search(r"Submitting job ([0-9a-f]{32})", line)
            if match:
                job_id = match.group(1)
                break
        assert job_id, "the job was never submitted"
        time.sleep(2)
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        assert process.wait(timeout=120) == 130
    finally:
        if process.poll() is None:
            process.kill()
    assert f"Cancelling job {job_id}" in rest
    deadline = time.monotonic() + 60
    while get_json(f"http://{cluster}/jobs/{job_id}")["state"] != "CANCELED":
        assert time.monotonic() < deadline, "the job was not cancelled"
        time.sleep(0.5)
