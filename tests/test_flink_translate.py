"""The Flink translation (qsql export --to flink): pure text, no PyFlink, so always run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qsql.cli import main
from qsql.errors import QsqlError
from qsql.flink.translate import FLINK_OPENAI_OPTIONS, TranslateOptions, translate
from qsql.models import options as model_options
from qsql.parser import parse

ROOT = Path(__file__).resolve().parent.parent


def flink(sql: str, **options: object) -> tuple[str, list[str]]:
    options.setdefault("env", {})
    result = translate(sql, "t.sql", TranslateOptions(**options))  # type: ignore[arg-type]
    return result.script, [f.render() for f in result.findings]


def with_options(script: str) -> dict[str, str]:
    """The WITH options of the script's first CREATE MODEL / TABLE, as Flink will read them."""
    statement = parse(script, "out.sql")[0]
    return {item.key: item.value for item in statement.options}  # type: ignore[attr-defined]


MODEL = """CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH (
  'provider' = '{provider}',{extra}
  'model' = '{model}'
);"""


@pytest.mark.parametrize(
    ("provider", "extra", "model", "endpoint"),
    [
        ("qwen", "", "qwen-plus", "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"),
        ("qwen", "", "text-embedding-v4", "https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings"),
        (
            "qwen",
            " 'endpoint' = 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1/',",
            "qwen-max",
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions",
        ),
        (
            "deepseek",
            " 'endpoint' = 'https://api.deepseek.com',",
            "deepseek-chat",
            "https://api.deepseek.com/chat/completions",
        ),
        (
            "openai",
            " 'endpoint' = 'https://api.openai.com/v1/embeddings',",
            "my-embedder",
            "https://api.openai.com/v1/embeddings",
        ),
    ],
)
def test_providers_become_openai_with_the_full_endpoint(provider: str, extra: str, model: str, endpoint: str) -> None:
    sql = MODEL.format(provider=provider, extra=extra, model=model)
    if endpoint.endswith("embeddings"):
        sql = sql.replace("OUTPUT (content STRING)", "OUTPUT (v ARRAY<FLOAT>)")
    script, findings = flink(sql)
    options = with_options(script)
    assert options["provider"] == "openai"
    assert options["endpoint"] == endpoint
    assert findings == []


def test_option_names_are_flinks_and_every_key_is_one_flink_knows() -> None:
    script, findings = flink(
        MODEL.format(
            provider="qwen",
            model="qwen-plus",
            extra=" 'top_p' = '0.5', 'max_tokens' = '20', 'temperature' = '0', 'stop' = 'a,b', 'n' = '2',",
        )
    )
    options = with_options(script)
    assert options["top-p"] == "0.5" and options["max-tokens"] == "20"
    assert "top_p" not in options and "max_tokens" not in options
    assert set(options) <= FLINK_OPENAI_OPTIONS
    assert "'top_p' is spelled 'top-p' on Flink" in script
    assert findings == []


def test_api_key_stays_a_placeholder_with_a_comment_saying_how_to_supply_it() -> None:
    script, _ = flink(
        MODEL.format(provider="qwen", model="qwen-plus", extra=""), env={"DASHSCOPE_API_KEY": "sk-secret"}
    )
    assert with_options(script)["api-key"] == "${DASHSCOPE_API_KEY}"
    assert "sk-secret" not in script
    assert re.search(r"-- 'api-key': Flink has no \$\{VAR\}; replace \$\{DASHSCOPE_API_KEY\}", script)


def test_a_literal_key_is_never_written_unless_asked() -> None:
    sql = MODEL.format(
        provider="openai", model="gpt-4o", extra=" 'endpoint' = 'https://api.openai.com/v1', 'api-key' = 'sk-literal',"
    )
    script, _ = flink(sql)
    assert "sk-literal" not in script
    assert with_options(script)["api-key"] == "${OPENAI_API_KEY}"
    inline, _ = flink(sql, secrets="inline")
    assert with_options(inline)["api-key"] == "sk-literal"


def test_inline_secrets_reads_the_environment_and_needs_the_variable() -> None:
    sql = MODEL.format(provider="qwen", model="qwen-plus", extra=" 'api-key' = '${MY_KEY}',")
    script, _ = flink(sql, secrets="inline", env={"MY_KEY": "sk-env"})
    assert with_options(script)["api-key"] == "sk-env"
    with pytest.raises(QsqlError, match="MY_KEY, which is not set"):
        flink(sql, secrets="inline", env={})


def test_qsql_only_model_options_are_reported_generically_and_refused_when_strict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A model option qsql learns later (say 'enable-thinking') is handled without changing the translator.
    spec = model_options.OptionSpec("enable-thinking", "Qwen3 thinking (qsql extension)")
    monkeypatch.setitem(model_options.SPECS_BY_KEY, "enable-thinking", spec)
    sql = MODEL.format(
        provider="qwen", model="text-embedding-v4", extra=" 'batch-size' = '5', 'enable-thinking' = 'false',"
    )
    script, findings = flink(sql)
    assert "batch-size" not in with_options(script) and "enable-thinking" not in with_options(script)
    assert any("'batch-size' of m is qsql-only" in f for f in findings)
    assert any("'enable-thinking' of m is qsql-only" in f for f in findings)
    assert findings[0].startswith("t.sql:2:")
    with pytest.raises(QsqlError, match="--strict: model option 'batch-size'"):
        flink(sql, strict=True)


def test_an_option_neither_qsql_nor_flink_knows_is_an_error() -> None:
    with pytest.raises(QsqlError, match="Unsupported option 'temprature'"):
        flink(MODEL.format(provider="qwen", model="qwen-plus", extra=" 'temprature' = '0',"))


def test_embeddings_max_tokens_is_flinks_max_context_size() -> None:
    sql = MODEL.format(
        provider="openai",
        model="text-embedding-3-small",
        extra=" 'endpoint' = 'https://api.openai.com/v1/embeddings', 'max-tokens' = '512',",
    ).replace("OUTPUT (content STRING)", "OUTPUT (v ARRAY<FLOAT>)")
    script, findings = flink(sql)
    options = with_options(script)
    assert options["max-context-size"] == "512" and "max-tokens" not in options
    assert "-- 'max-tokens' (embeddings input limit) is Flink's 'max-context-size'" in script
    assert findings == []


@pytest.mark.parametrize(("model", "option"), [("text-embedding-v4", "max-tokens"), ("qwen-plus", "max-context-size")])
def test_an_input_limit_flink_cannot_count_is_left_out(model: str, option: str) -> None:
    # Flink's openai provider counts max-context-size with jtokkit (ContextOverflowAction), which
    # has no tokenizer for Qwen's models: the job would fail when it starts.
    sql = MODEL.format(provider="qwen", model=model, extra=f" '{option}' = '512',")
    if "embedding" in model:
        sql = sql.replace("OUTPUT (content STRING)", "OUTPUT (v ARRAY<FLOAT>)")
    script, findings = flink(sql)
    options = with_options(script)
    assert "max-context-size" not in options and "max-tokens" not in options
    assert f"-- qsql only, left out: '{option}' = '512'\n" in script
    assert findings == [
        f"t.sql:2:24: option '{option}' of m left out: Flink's openai provider counts tokens only for OpenAI's "
        f"models (jtokkit), so an input limit for '{model}' fails when the job starts ('No proper tokenizer "
        "found'); on Flink the input is sent uncut"
    ]
    with pytest.raises(QsqlError, match=f"--strict: option '{option}' of m left out"):
        flink(sql, strict=True)


def test_stub_mode_points_every_model_at_the_stub() -> None:
    script, _ = flink(
        MODEL.format(provider="qwen", model="text-embedding-v4", extra=""),
        secrets="inline",
        stub_base_url="http://127.0.0.1:9/v1",
    )
    options = with_options(script)
    assert options["endpoint"] == "http://127.0.0.1:9/v1/embeddings" and options["api-key"] == "stub"


def test_table_options_and_settings() -> None:
    sql = """SET 'qsql.cache' = 'off';
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '4';
CREATE TABLE src (a INT) WITH ('connector' = 'filesystem', 'path' = '${DATA}/in.csv', 'format' = 'csv', 'csv.header' = 'true');
CREATE TABLE dst (a INT) WITH ('connector' = 'filesystem', 'path' = 'out/a.jsonl', 'format' = 'json');
INSERT INTO dst SELECT a FROM src;"""
    script, findings = flink(sql, env={"DATA": "/data"})
    assert "-- qsql only, left out: SET 'qsql.cache' = 'off';" in script
    assert "SET 'table.exec.async-ml-predict.max-concurrent-operations' = '4';" in script
    source_options = {o.key: o.value for o in parse(script, "x")[1].options}  # type: ignore[attr-defined]
    assert source_options == {"connector": "filesystem", "path": "/data/in.csv", "format": "csv"}
    assert len(findings) == 3
    assert "setting 'qsql.cache' is qsql-only" in findings[0]
    assert "table option 'csv.header' of src is qsql-only" in findings[1]
    assert "Flink writes a directory of part files" in findings[2]
    # What is left is plain Flink SQL qsql still parses.
    assert [type(s).__name__ for s in parse(script, "x")] == ["SetOption", "CreateTable", "CreateTable", "Insert"]


def test_everything_else_is_kept_as_written() -> None:
    text = (ROOT / "samples" / "desensitize.sql").read_text()
    script, _ = flink(text)
    before, after = text.split("INSERT INTO print_sink", 1)[1], script.split("INSERT INTO print_sink", 1)[1]
    assert before == after
    assert script.startswith(text.split("CREATE MODEL")[0])


def test_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--to", "flink", str(ROOT / "samples" / "reviews.sql")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("-- Flink 2.3 SQL, exported by qsql from ")
    assert out.count("'provider' = 'openai'") == 2 and "'provider' = 'qwen'" not in out
    assert err.count("warning: ") == 1 and "directory of part files" in err
    assert main(["export", "--to", "flink", "--strict", str(ROOT / "samples" / "reviews.sql")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "--strict: sink enriched writes the single file" in err
    assert main(["export", "--to", "flink", str(tmp_path / "missing.sql")]) == 2


def test_export_of_a_bad_script_is_one_error_and_debug_adds_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.sql"
    script.write_text("SELEC 1;\n")
    assert main(["export", "--to", "flink", str(script)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and "Traceback" not in err
    assert main(["export", "--to", "flink", "--debug", str(script)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_qsql_never_imports_pyflink_unless_a_script_runs_on_flink() -> None:
    import subprocess
    import sys

    code = (
        "import sys, qsql.cli\n"
        f"assert qsql.cli.main(['export', '--to', 'flink', {str(ROOT / 'samples' / 'desensitize.sql')!r}]) == 0\n"
        f"assert qsql.cli.main(['run', '--stub', '-q', {str(ROOT / 'samples' / 'desensitize.sql')!r}]) == 0\n"
        "assert 'pyflink' not in sys.modules and 'py4j' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_engine_flink_without_pyflink_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyflink", None)  # as if the extra were not installed
    assert main(["run", "--engine", "flink", str(ROOT / "samples" / "desensitize.sql")]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "qsql: error: --engine flink needs PyFlink, which is not installed: install the extra: "
        "pip install 'qsql[flink]' (or pip install -e '.[flink]'); it needs Java 11 or 17"
    )


def test_engine_flink_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(ROOT / "samples" / "desensitize.sql")
    assert main(["run", "--engine", "flink", "--flink-parallelism", "0", sample]) == 2
    assert "--flink-parallelism must be at least 1" in capsys.readouterr().err
    assert main(["run", "--engine", "flink", "--format", "csv", sample]) == 2
    assert "--format csv is for qsql's engine" in capsys.readouterr().err


def test_running_uses_the_stored_key_when_the_variable_is_unset() -> None:
    sql = MODEL.format(provider="qwen", model="qwen-plus", extra="")
    script, _ = flink(sql, secrets="inline", stored_key={"qwen": "sk-stored"}.get)
    assert with_options(script)["api-key"] == "sk-stored"
    with pytest.raises(QsqlError, match="DASHSCOPE_API_KEY, which is not set"):
        flink(sql, secrets="inline", stored_key=lambda provider: None)


def test_an_embedding_output_flink_cannot_give_is_reported() -> None:
    sql = "CREATE MODEL e INPUT (t STRING) OUTPUT (v ARRAY<DOUBLE>) WITH ('provider' = 'qwen', 'model' = 'text-embedding-v4');"
    _, findings = flink(sql)
    assert findings == [
        "t.sql:1:41: output column 'v' of e is ARRAY<DOUBLE>; Flink's openai provider gives only "
        "ARRAY<FLOAT>: declare ARRAY<FLOAT>"
    ]


def test_a_key_variable_renamed_in_the_config_is_the_one_flink_gets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qsql.config import config_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[keys]\nqwen = "TEAM_QWEN_KEY"\n')
    script = tmp_path / "m.sql"
    script.write_text(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING)\n"
        "WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
    )
    assert main(["export", "--to", "flink", str(script)]) == 0
    out = capsys.readouterr().out
    assert "'api-key' = '${TEAM_QWEN_KEY}'" in out and "DASHSCOPE_API_KEY" not in out
    monkeypatch.setenv("TEAM_QWEN_KEY", "sk-team")
    assert main(["export", "--to", "flink", "--inline-secrets", str(script)]) == 0
    assert "'api-key' = 'sk-team'" in capsys.readouterr().out


def test_create_table_as_select_runs_as_a_job_like_an_insert() -> None:
    """A CTAS inserts rows: --engine flink must wait for its job (as for an INSERT), or the print
    sink's rows could be lost when the session ends; a filesystem CTAS is a sink for the notes."""
    script = (
        "CREATE TABLE p WITH ('connector' = 'print') AS SELECT 1 AS a;\n"
        "CREATE TABLE f WITH ('connector' = 'filesystem', 'path' = 'out.jsonl', 'format' = 'json') AS SELECT 1 AS a;\n"
        "CREATE TABLE d (a INT) WITH ('connector' = 'blackhole');\n"
    )
    translation = translate(script, "x.sql", TranslateOptions())
    assert [(s.kind, s.sink_tables) for s in translation.statements] == [
        ("ctas", ("p",)),
        ("ctas", ("f",)),
        ("ddl", ()),
    ]
    assert any("writes the single file 'out.jsonl'" in f.message for f in translation.findings)
