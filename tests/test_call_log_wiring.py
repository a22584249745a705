"""The model-call log wired to the model package's observer: SET 'qsql.log' = 'on' | 'meta' |
'off', one row per HTTP request and per cache hit, never the key; `qsql logs` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qsql.calllog import CallLog, default_log_path
from qsql.session import Session
from qsql.stub import StubServer
from tests.conftest import CliRunner

SECRET = "sk-logtest-0123456789"


def script(stub: StubServer, log: str) -> str:
    return (
        f"SET 'qsql.log' = '{log}';"
        f"CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'openai', "
        f"'endpoint' = '{stub.base_url}', 'model' = 'gpt-4o-mini', 'api-key' = '{SECRET}');"
        "CREATE VIEW v (id, i) AS VALUES (1, 'alpha'), (2, 'beta'), (3, 'alpha');"
        "SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i));"
    )


def test_on_logs_each_request_and_cache_hit_with_text_and_no_key(stub: StubServer) -> None:
    with Session(env={}) as session:
        list(session.execute(script(stub, "on")))
        list(session.execute("SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i));"))  # from the cache
    path = default_log_path()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert SECRET.encode() not in path.read_bytes()
    log = CallLog(path)
    calls = log.recent(0)
    log.close()
    sent = [c for c in calls if not c["cache_hit"]]
    # 'alpha' twice: sent once; the rerun is answered by the cache, a row per reply served
    assert len(sent) == 2 and len(calls) == 5 and calls[0] in sent and calls[1] in sent
    assert all(c["status"] is None and c["request"] is None for c in calls[2:])
    for call in sent:
        assert (call["model"], call["model_id"], call["host"], call["status"], call["ok"]) == (
            "m",
            "gpt-4o-mini",
            "127.0.0.1",
            200,
            1,
        )
        assert call["prompt_tokens"] > 0 and call["completion_tokens"] > 0 and call["latency"] >= 0
        assert "gpt-4o-mini" in str(call["request"]) and "[stub]" in str(call["reply"])
    assert {json.loads(str(c["request"]))["messages"][-1]["content"] for c in sent} == {"alpha", "beta"}


def test_meta_leaves_out_the_text_and_off_logs_nothing(stub: StubServer) -> None:
    with Session(env={}) as session:
        list(session.execute(script(stub, "meta")))
    with Session(env={}) as session:
        list(session.execute(script(stub, "off")))
    log = CallLog()
    calls = log.recent(0)
    log.close()
    assert len(calls) == 2
    assert all(c["request"] is None and c["reply"] is None for c in calls)


def test_nothing_is_logged_by_default(stub: StubServer) -> None:
    with Session(env={}) as session:
        list(session.execute(script(stub, "off")))
    assert not default_log_path().exists()


def test_a_bad_mode_is_refused_at_set() -> None:
    with Session(env={}) as session, pytest.raises(Exception) as caught:
        list(session.execute("SET 'qsql.log' = 'verbose';"))
    assert "must be one of on, meta, off" in str(caught.value)


def test_log_from_the_config_and_qsql_logs_reads_it(stub: StubServer, tmp_path: Path, cli: CliRunner) -> None:
    env = dict(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    (tmp_path / "config" / "qsql").mkdir(parents=True)
    (tmp_path / "config" / "qsql" / "config.toml").write_text('log = "meta"\n', encoding="utf-8")
    sql = script(stub, "meta").split(";", 1)[1]  # no SET: the config turns the log on
    run = cli("-q", "-e", sql, env=env)
    assert run.returncode == 0, run.stderr
    assert SECRET not in run.stdout + run.stderr
    logs = cli("logs", "-n", "2", "--json")
    lines = [json.loads(line) for line in logs.stdout.splitlines()]
    assert len(lines) == 2 and all(line["model"] == "m" and line["request"] is None for line in lines)
    assert SECRET not in logs.stdout
