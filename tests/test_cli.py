"""The ``qsql`` command: run, stdin, -e, the stub server, exit codes.

Most tests call ``cli.main(argv)`` in this process (the ``cli`` fixture: fake stdin, output
captured at the file descriptors); a few smoke tests run the real command as a subprocess:
a script file, piped standard input against ``qsql stub`` in its own process, a failing
statement's exit status, and a closed pipe. Signals and the terminal are tested as real
processes in test_reliability_signals.py and test_shell_pty.py."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qsql.cli import build_parser, command_names, stub_options
from qsql.stub import StubOptions, StubServer
from tests.conftest import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "desensitize.sql"
EXPECTED = (ROOT / "samples" / "desensitize.stub.out").read_text(encoding="utf-8")
QSQL = [sys.executable, "-m", "qsql"]


def qsql_process(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The real command in its own process (the smoke tests only)."""
    environment = dict(os.environ)
    environment.update(env or {})
    return subprocess.run(
        [*QSQL, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=ROOT,
    )


def test_run_sample_with_stub_prints_flink_lines() -> None:  # a real process
    result = qsql_process("run", "--stub", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    assert "[INFO] print_sink: 3 rows written" in result.stderr
    assert "offline stub" in result.stderr


def test_sample_expected_output_is_the_seed_shape() -> None:
    assert EXPECTED.splitlines()[0] == (
        "+I[1, mj, [stub] My name is mj, ID number number: 412721199803135419., positive]"
    )


def test_stdin_that_is_not_a_terminal_runs_as_a_script(cli: CliRunner) -> None:
    result = cli("--stub", stdin=SAMPLE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED


def test_execute_option_and_quiet(cli: CliRunner) -> None:
    result = cli("-q", "-e", "SELECT 40 + 2; SELECT 'a, b' AS s;")
    assert result.returncode == 0
    # (Flink 2.3) the SQL client's batch tables of the same queries: widths come from the data
    assert result.stdout == (
        "+--------+\n| EXPR$0 |\n+--------+\n|     42 |\n+--------+\n1 row in set\n"
        "+------+\n|    s |\n+------+\n| a, b |\n+------+\n1 row in set\n"
    )
    assert result.stderr == ""


def test_failed_statement_exits_1_with_position_and_no_traceback() -> None:  # a real process
    result = qsql_process("-e", "SELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;")
    assert result.returncode == 1
    assert result.stderr.startswith("error: <command line>:2:15: Object 'missing_table' not found")
    assert "  SELECT * FROM missing_table;\n" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("row in set") == 1  # the first statement ran, the third did not


def test_debug_shows_the_traceback(cli: CliRunner) -> None:
    result = cli("--debug", "-e", "SELECT * FROM missing_table")
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_syntax_error_in_a_file_names_the_file(cli: CliRunner, tmp_path: Path) -> None:
    script = tmp_path / "bad.sql"
    script.write_text("SELECT 1;\nSELECT FROM t;\n", encoding="utf-8")
    result = cli("run", str(script))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {script}:2:8: unexpected 'FROM'")
    assert result.stdout == ""  # a syntax error anywhere runs nothing


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("run", "no/such/file.sql"), "cannot read no/such/file.sql"),
        (("-e", "SELECT 1", "-f", "x.sql"), "give only one of"),
        (("--no-such-flag",), "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(cli: CliRunner, args: tuple[str, ...], fragment: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert fragment in result.stderr


def test_missing_key_without_stub_is_a_clear_error(cli: CliRunner) -> None:
    result = cli("run", str(SAMPLE))
    assert result.returncode == 1
    assert "environment variable DASHSCOPE_API_KEY, which is not set" in result.stderr
    assert "Traceback" not in result.stderr


KEY = "sk-integration-secret"


@pytest.fixture
def stub_process() -> Iterator[tuple[str, str]]:
    """`qsql stub` in its own process, requiring a key; yields (base URL, key)."""
    key = KEY
    process = subprocess.Popen(
        [*QSQL, "stub", "--port", "0", "--api-key", key], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("LISTENING "), line + process.stderr.read()  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1", key
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def keyed_stub() -> Iterator[tuple[str, str]]:
    """The stub in this process, requiring a key; yields (base URL, key)."""
    with StubServer(options=StubOptions(api_key=KEY)) as server:
        yield server.base_url, KEY


def pointed_at(base_url: str) -> str:
    return SAMPLE.read_text(encoding="utf-8").replace("https://dashscope.aliyuncs.com/compatible-mode/v1", base_url)


def test_real_http_run_against_the_stub_process(stub_process: tuple[str, str]) -> None:  # real processes
    base_url, key = stub_process
    result = qsql_process(stdin=pointed_at(base_url), env={"DASHSCOPE_API_KEY": key})
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    assert key not in result.stdout + result.stderr


def test_wrong_key_gives_401_error_without_the_key(cli: CliRunner, keyed_stub: tuple[str, str]) -> None:
    base_url, _ = keyed_stub
    result = cli(stdin=pointed_at(base_url), env={"DASHSCOPE_API_KEY": "sk-wrong-one"})
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and "Incorrect API key provided." in result.stderr
    assert "hint: check the API key" in result.stderr
    assert "sk-wrong-one" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def with_retries(script: str, retries: int) -> str:
    return script.replace("'model' = 'qwen-plus',", f"'model' = 'qwen-plus', 'retry-num' = '{retries}',")


@pytest.mark.parametrize(
    "marker, fragment", [("[[stub:status=500]]", "HTTP 500"), ("[[stub:malformed]]", "malformed reply")]
)
def test_server_errors_exit_1_once_retries_run_out(
    cli: CliRunner, keyed_stub: tuple[str, str], marker: str, fragment: str
) -> None:
    base_url, key = keyed_stub
    script = with_retries(pointed_at(base_url).replace("ID number number: 412721199803135419.", marker), 1)
    result = cli(stdin=script, env={"DASHSCOPE_API_KEY": key})
    assert result.returncode == 1
    assert fragment in result.stderr and "row 1 (id=1, user_name=mj)" in result.stderr
    assert "Traceback" not in result.stderr


def test_transient_server_errors_are_retried(cli: CliRunner, keyed_stub: tuple[str, str]) -> None:
    base_url, key = keyed_stub
    script = pointed_at(base_url).replace("412721199803135419.", "412721199803135419. [[stub:status=503;times=1]]")
    result = cli(stdin=script, env={"DASHSCOPE_API_KEY": key})
    assert result.returncode == 0, result.stderr
    assert "[stub:status=503;times=1]]" in result.stdout.splitlines()[0]
    assert "HTTP 503" in result.stderr and "retry 1 of 100" in result.stderr
    assert "4 requests" in result.stderr and "1 retry" in result.stderr


def test_unreachable_endpoint_is_a_clear_error(cli: CliRunner) -> None:
    script = with_retries(pointed_at("http://127.0.0.1:9/v1"), 1)  # port 9 (discard) is closed on loopback
    result = cli(stdin=script, env={"DASHSCOPE_API_KEY": "k"})
    assert result.returncode == 1
    assert "cannot reach http://127.0.0.1:9/v1/chat/completions" in result.stderr


BAD_INPUTS = [
    ("SELECT * FROM ML_PREDICT(TABLE user_info, MODEL nope, DESCRIPTOR(info))", "Object 'nope' not found"),
    ("SELECT nope FROM user_info", "Column 'nope' not found in any table"),
    (
        "SELECT * FROM ML_PREDICT(TABLE user_info, MODEL ai_data_desensitization, DESCRIPTOR(x))",
        "Descriptor column 'x' not found in table columns. Available columns: id, user_name, info, actual_label.",
    ),
    (
        "SELECT * FROM ML_PREDICT(TABLE user_info, MODEL ai_data_desensitization, DESCRIPTOR(id))",
        "Descriptor column 'id' type INT NOT NULL cannot be assigned to model input type STRING at position 0.",
    ),
    (
        "CREATE MODEL m2 INPUT (i INT) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus')",
        "input column 'i' must be STRING, not INT",
    ),
]


@pytest.mark.parametrize("statement, fragment", BAD_INPUTS)
def test_bad_input_is_a_clear_error_with_exit_1(cli: CliRunner, statement: str, fragment: str) -> None:
    script = SAMPLE.read_text(encoding="utf-8") + "\n" + statement + ";\n"
    result = cli("--stub", "-q", stdin=script)
    assert result.returncode == 1
    assert fragment in result.stderr
    assert result.stderr.startswith("error: <stdin>:")
    assert "Traceback" not in result.stderr


def test_http_404_from_the_model_is_a_clear_error(cli: CliRunner, keyed_stub: tuple[str, str]) -> None:
    base_url, key = keyed_stub
    script = pointed_at(base_url).replace("ID number number: 412721199803135419.", "[[stub:status=404]]")
    result = cli(stdin=script, env={"DASHSCOPE_API_KEY": key})
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr and "hint: check the options 'endpoint' and 'model'" in result.stderr
    assert "Traceback" not in result.stderr


def test_disk_cache_rerun_sends_nothing_and_cache_command(cli: CliRunner) -> None:
    script = "SET 'qsql.cache' = 'disk';\n" + SAMPLE.read_text(encoding="utf-8")
    first = cli("--stub", stdin=script)
    second = cli("--stub", stdin=script)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout == EXPECTED
    assert "3 requests, 0 cache hits" in first.stderr
    assert "0 requests, 3 cache hits" in second.stderr
    info = cli("cache", "info")
    assert "3 cached replies" in info.stdout
    assert os.environ["XDG_CACHE_HOME"] in info.stdout  # the test's own cache dir, never the user's
    assert "removed 3 cached replies" in cli("cache", "clear").stdout
    assert "0 cached replies" in cli("cache", "info").stdout


def test_reviews_sample_writes_its_expected_jsonl(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("reviews.sql", "reviews.csv"):
        (samples / name).write_bytes((ROOT / "samples" / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    result = cli("run", "--stub", "samples/reviews.sql")
    assert result.returncode == 0, result.stderr
    written = (samples / "out" / "reviews_enriched.jsonl").read_text(encoding="utf-8")
    assert written == (ROOT / "samples" / "reviews.expected.jsonl").read_text(encoding="utf-8")
    assert "[INFO] enriched: 36 rows written" in result.stderr
    assert "ML_PREDICT(embedder): 36 in, 36 out, 4 requests" in result.stderr  # batches of 10


def test_a_closed_pipe_stops_quietly() -> None:  # a real process: SIGPIPE and a real pipe
    script = (
        "CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', "
        "'fields.id.start' = '1', 'fields.id.end' = '200000');"
        "CREATE TABLE p (id BIGINT) WITH ('connector' = 'print'); INSERT INTO p SELECT * FROM g;"
    )
    process = subprocess.Popen([*QSQL, "-q", "-e", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does
    code = process.wait(timeout=60)
    assert first == b"+I[1]\n"
    assert code == 141 and process.stderr.read() == b""


def test_non_utf8_input_is_a_usage_error(cli: CliRunner) -> None:
    result = cli(stdin=b"SELECT '\xff';")
    assert result.returncode == 2
    assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_an_unwritable_disk_cache_is_a_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    script = "SET 'qsql.cache' = 'disk';\nSELECT 1;\n" + SAMPLE.read_text(encoding="utf-8")
    result = cli("--stub", stdin=script, env={"XDG_CACHE_HOME": str(blocker)})
    assert result.returncode == 1
    assert "1 row in set" in result.stdout  # a statement without a model does not need the cache
    assert "cannot open the reply cache" in result.stderr and "Traceback" not in result.stderr


def test_file_and_init_options(cli: CliRunner, tmp_path: Path) -> None:
    init = tmp_path / "init.sql"
    init.write_text("CREATE VIEW answer AS SELECT 42 AS n;", encoding="utf-8")
    script = tmp_path / "main.sql"
    script.write_text("SELECT n FROM answer;", encoding="utf-8")
    result = cli("-q", "-i", str(init), "-f", str(script))
    assert result.returncode == 0, result.stderr
    assert "| 42 |" in result.stdout


def test_version(cli: CliRunner) -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == "qsql 0.1.0"


def _serve_flags(*flags: str) -> StubServer:
    """A server with what ``qsql stub FLAGS`` asks for, in this process (the command itself only
    adds the listening loop; it runs as a real process in test_real_http_run_against_the_stub_process)."""
    return StubServer(options=stub_options(build_parser().parse_args(["stub", *flags])))


def test_stub_command_injects_failures_every_nth_request() -> None:
    with _serve_flags("--fail-every", "2", "--fail-status", "429", "--retry-after", "1") as server:
        with httpx.Client(trust_env=False, timeout=5) as client:
            body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
            replies = [client.post(f"{server.base_url}/chat/completions", json=body) for _ in range(4)]
    assert [r.status_code for r in replies] == [200, 429, 200, 429]
    assert replies[1].headers["retry-after"] == "1"


@pytest.mark.parametrize("flags, status", [([], 400), (["--lenient"], 200)])
def test_stub_command_is_strict_unless_lenient(flags: list[str], status: int) -> None:
    with _serve_flags(*flags) as server:
        with httpx.Client(trust_env=False, timeout=5) as client:
            body = {"model": "qwen-plus", "temperature": 2, "messages": [{"role": "user", "content": "hi"}]}
            # Qwen's temperature is [0, 2)
            assert client.post(f"{server.base_url}/chat/completions", json=body).status_code == status


def test_a_bad_stub_flag_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("stub", "--requests-per-minute", "-1")
    assert result.returncode == 2 and result.stderr.startswith("qsql stub: ")


# ------------------------------------------------------------------ output formats, file shorthand, help
def test_format_csv_to_a_file_just_works(cli: CliRunner) -> None:
    result = cli("-e", "SELECT * FROM (VALUES (1, 'a, b'), (2, CAST(NULL AS STRING))) AS t (n, s);", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'n,s\n1,"a, b"\n2,\n'
    assert result.stderr == ""


def test_format_json_from_stdin_and_a_bad_format_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("--format", "jsonl", stdin="SELECT 1 AS a; SELECT 'x' AS b;")
    assert result.stdout == '{"a":1}\n{"b":"x"}\n'
    bad = cli("--format", "yaml", "-e", "SELECT 1;")
    assert bad.returncode == 2 and "invalid choice: 'yaml'" in bad.stderr


def test_a_file_argument_runs_the_file_with_init_after_run(cli: CliRunner, tmp_path: Path) -> None:
    init = tmp_path / "init.sql"
    init.write_text("CREATE VIEW v AS SELECT 41 AS n;", encoding="utf-8")
    script = tmp_path / "job.sql"
    script.write_text("SELECT n + 1 AS answer FROM v;", encoding="utf-8")
    shorthand = cli("-i", str(init), str(script), "--format", "csv")
    assert shorthand.returncode == 0, shorthand.stderr
    assert shorthand.stdout == "answer\n42\n"
    after_run = cli("run", "-i", str(init), str(script), "--format", "tsv")
    assert after_run.returncode == 0, after_run.stderr
    assert after_run.stdout == "answer\n42\n"


def test_every_subcommand_help_has_examples(cli: CliRunner) -> None:
    commands = command_names(build_parser())
    assert {"run", "export", "stub", "cache", "keys", "logs"} <= set(commands)
    for command in ([], *([c] for c in commands)):
        result = cli(*command, "--help")
        assert result.returncode == 0 and "examples:" in result.stdout, command


def test_main_called_from_python_returns_the_status_and_leaves_the_signals_as_it_found_them(cli: CliRunner) -> None:
    import signal

    from qsql.interrupts import HANDLED_SIGNALS

    before = {signum: signal.getsignal(signum) for signum in HANDLED_SIGNALS}
    assert cli("--version").returncode == 0  # argparse's SystemExit becomes the status
    assert cli("--no-such-flag").returncode == 2
    assert cli("-q", "-e", "SELECT 1;").returncode == 0
    assert cli("-q", "-e", "SELECT * FROM missing;").returncode == 1
    assert {signum: signal.getsignal(signum) for signum in HANDLED_SIGNALS} == before


def test_a_closed_pipe_in_process_returns_141_and_leaves_the_callers_descriptors(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    class ClosedPipe(io.StringIO):
        """sys.stdout on descriptor 1 whose reader went away."""

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return 1

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    before = os.fstat(1)
    assert cli("-q", "-e", "SELECT 1;").returncode == 141
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
