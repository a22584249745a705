"""``qsql run --engine flink`` and ``qsql export --to flink`` against real Apache Flink 2.3.

One JVM (PyFlink's gateway, which runs the local mini-cluster's jobs) serves this whole module:
every script runs in-process through ``qsql.cli.main``, each with a fresh TableEnvironment.
Models answer from qsql's stub (``--stub``) through the test stand-in for flink-model-openai.
Skipped, with the reason, where PyFlink or a JDK is missing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from qsql.cli import main
from qsql.parser import parse
from tests.flink.support import skip_reason

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "flink" / "scripts"
REASON = skip_reason()
pytestmark = [pytest.mark.flink, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


def seed_example(directory: Path) -> Path:
    """The README's example, as a file."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## The example\s+```sql\n(.*?)```", readme, re.S)
    assert block, "README lost its example"
    path = directory / "seed.sql"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def workspace(tmp_path: Path, name: str) -> Path:
    """A copy of samples/ (scripts use paths relative to the repository root) to run in."""
    directory = tmp_path / name
    shutil.copytree(ROOT / "samples", directory / "samples", ignore=shutil.ignore_patterns("out"))
    return directory


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def data_lines(text: str) -> list[str]:
    """Sink rows and query tables, order-insensitive (a GROUP BY without ORDER BY has none)."""
    return sorted(line for line in text.splitlines() if line.strip())


CASES = [
    "samples/desensitize.sql",
    "samples/reviews.sql",
    "seed",
    "relational.sql",
    "chat.sql",
    "embeddings.sql",
    "statements.sql",
    "everyday.sql",
]


def script_path(case: str, directory: Path) -> str:
    if case == "seed":
        return str(seed_example(directory))
    if case.startswith("samples/"):
        return case
    return str(SCRIPTS / case)


@pytest.mark.parametrize("case", CASES)
def test_flink_prints_what_qsql_prints(
    case: str,
    tmp_path: Path,
    flink_provider_jar: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local, on_flink = workspace(tmp_path, "qsql"), workspace(tmp_path, "flink")
    monkeypatch.chdir(local)
    code, qsql_out, qsql_err = run(["run", "--stub", script_path(case, local)], capsys)
    assert code == 0, qsql_err
    monkeypatch.chdir(on_flink)
    code, flink_out, flink_err = run(
        ["run", "--engine", "flink", "--stub", "--flink-jar", str(flink_provider_jar), script_path(case, on_flink)],
        capsys,
    )
    assert code == 0, flink_err
    assert data_lines(flink_out) == data_lines(qsql_out)
    assert re.search(r"\[INFO\] Job [0-9a-f]{32} finished in \d+\.\d\ds", flink_err), flink_err
    if case == "samples/reviews.sql":
        # qsql writes one file; Flink a directory of part files with the same lines.
        written = (local / "samples/out/reviews_enriched.jsonl").read_text().splitlines()
        parts = sorted((on_flink / "samples/out/reviews_enriched.jsonl").iterdir())
        assert parts and all(p.name.startswith("part-") for p in parts)
        flink_lines = [line for p in parts for line in p.read_text().splitlines()]
        assert (
            sorted(flink_lines)
            == sorted(written)
            == sorted((ROOT / "samples/reviews.expected.jsonl").read_text().splitlines())
        )
        assert "writes a directory of part files" in flink_err


def test_a_failing_job_is_one_line_with_flinks_root_cause(
    flink_provider_jar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--engine", "flink", "--stub", "--flink-jar", str(flink_provider_jar), str(SCRIPTS / "failover.sql")]
    code, out, err = run(argv, capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert re.match(
        r"error: .*failover\.sql:6:1: Flink: .*HTTP 400 from http://127\.0\.0\.1:\d+/v1/chat/completions", errors[0]
    )
    assert "\tat " not in err and "Caused by" not in err
    assert "run with --debug for Flink's Java stack trace" in err
    code, _, err = run(argv[:1] + ["--debug"] + argv[1:], capsys)
    assert code == 1 and "\tat org.apache.flink" in err


def test_a_planning_error_names_the_statement(
    flink_provider_jar: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.sql"
    script.write_text("CREATE TEMPORARY VIEW v(a) AS VALUES (1);\nSELECT b FROM v;\n")
    code, _, err = run(["run", "--engine", "flink", str(script)], capsys)
    assert code == 1
    assert re.search(r"error: .*bad\.sql:2:1: Flink: .*Column 'b' not found", err), err


@pytest.mark.parametrize("case", CASES)
def test_the_export_is_accepted_by_flinks_parser_and_planner(
    case: str,
    tmp_path: Path,
    flink_provider_jar: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = workspace(tmp_path, "export")
    monkeypatch.chdir(directory)
    code, exported, _ = run(["export", "--to", "flink", script_path(case, directory)], capsys)
    assert code == 0
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    config = Configuration()
    config.set_string("pipeline.jars", flink_provider_jar.as_uri())
    config.set_string("pipeline.classpaths", flink_provider_jar.as_uri())
    t_env = TableEnvironment.create(
        EnvironmentSettings.new_instance().in_batch_mode().with_configuration(config).build()
    )
    for statement in parse(exported, "exported.sql"):
        sql = exported[statement.span.start_pos : statement.span.end_pos]
        kind = type(statement).__name__
        if kind in ("Insert", "QueryStatement", "StatementSet"):
            assert t_env.explain_sql(sql)  # parsed, validated, optimized: the model provider is created
        elif kind == "SetOption":  # a SQL-client command: TableEnvironment takes it as configuration
            t_env.get_config().set(statement.key, statement.value)  # type: ignore[attr-defined]
        elif kind not in ("BeginStatementSet", "EndStatementSet"):  # SQL-client brackets around INSERTs
            t_env.execute_sql(sql)


def test_show_create_model_never_prints_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Flink's SHOW CREATE MODEL prints every option, the key qsql wrote into the job included.
    script = tmp_path / "key.sql"
    script.write_text(
        "CREATE MODEL m INPUT (t STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', "
        "'endpoint' = 'http://127.0.0.1:9/v1', 'api-key' = 'sk-never-shown-1234', 'model' = 'gpt-4o');\n"
        "SHOW CREATE MODEL m;\n"
    )
    code, out, err = run(["run", "--engine", "flink", str(script)], capsys)
    assert code == 0, err
    assert "sk-never-shown-1234" not in out + err
    assert "'api-key' = '****'" in out


REFUSED_SHAPES = [
    ("INPUT (x VARCHAR(100)) OUTPUT (y STRING)", "chat/completions"),
    ("INPUT (x STRING NOT NULL) OUTPUT (y STRING)", "chat/completions"),
    ("INPUT (x STRING) OUTPUT (y STRING NOT NULL)", "chat/completions"),
    ("INPUT (x STRING) OUTPUT (v ARRAY<DOUBLE>)", "embeddings"),
    ("INPUT (x STRING) OUTPUT (v ARRAY<FLOAT NOT NULL>)", "embeddings"),
]


@pytest.mark.parametrize("columns, task", REFUSED_SHAPES)
def test_flink_and_qsql_refuse_a_model_column_type_with_the_same_words(
    columns: str, task: str, tmp_path: Path, flink_provider_jar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The stand-in repeats flink-model-openai's validateSingleColumnSchema; Flink names the types
    # (LogicalType.toString), qsql must print the same message (qsql/models/flink_columns.py).
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    model = (
        f"CREATE MODEL m {columns} WITH ('provider' = 'openai', 'endpoint' = 'http://127.0.0.1:9/v1/{task}', "
        "'api-key' = 'k', 'model' = 'some-model')"
    )
    view = "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES ('a')) AS v(x)"
    call = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(x))"
    script = tmp_path / "shape.sql"
    script.write_text(f"{view};\n{model};\n{call};\n")
    code, _, err = run(["run", "--stub", str(script)], capsys)
    assert code == 1
    message = re.search(r"shape\.sql:3:\d+: (.*)", err)
    assert message, err

    config = Configuration()
    config.set_string("pipeline.jars", flink_provider_jar.as_uri())
    config.set_string("pipeline.classpaths", flink_provider_jar.as_uri())
    t_env = TableEnvironment.create(
        EnvironmentSettings.new_instance().in_batch_mode().with_configuration(config).build()
    )
    t_env.execute_sql(view)
    t_env.execute_sql(model)
    with pytest.raises(Exception) as info:
        t_env.explain_sql(call)
    assert message.group(1) in str(info.value)
