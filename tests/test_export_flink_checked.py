"""qsql export --to flink on qsql's extensions: the exported text, as Flink 2.3 accepted it.

Each expected script below was run statement by statement in PyFlink 2.3.0 (batch mode, SET applied to
the configuration as Flink's SQL client does) with a provider that makes the planning-time checks of
flink-model-openai (its typed options, the endpoint's task, exactly one physical STRING input and one
output of the task's type): every CREATE, ALTER and INSERT was accepted and the INSERTs planned and
ran. Tests never call Flink; these texts are what was checked.
"""

from __future__ import annotations

import pytest

from qsql.errors import QsqlError
from qsql.flink.translate import TranslateOptions, translate
from qsql.models.config import CHAT, EMBEDDINGS
from qsql.models.options import task_from_model
from qsql.parser import parse
from qsql.types import DataType

SCRIPT = """SET 'table.exec.async-ml-predict.async' = 'false';
CREATE TEMPORARY TABLE docs (id INT, txt STRING) WITH (
  'connector' = 'filesystem',
  'path' = 'docs.csv',
  'format' = 'csv',
  'csv.header' = 'true'
);
CREATE MODEL thinker
INPUT (txt STRING)
OUTPUT (answer STRING, reasoning_content STRING)
WITH (
  'provider' = 'qwen',
  'model' = 'qwen-plus',
  'enable-thinking' = 'true',
  'requests-per-minute' = '60'
);
CREATE MODEL keeper
INPUT (txt STRING)
OUTPUT (reply STRING, `error-string` STRING, `http-status-code` INT)
WITH (
  'provider' = 'deepseek',
  'endpoint' = 'https://api.deepseek.com',
  'model' = 'deepseek-chat',
  'error-handling-strategy' = 'IGNORE'
);
CREATE MODEL embedder
INPUT (txt STRING)
OUTPUT (vec ARRAY<FLOAT>)
WITH (
  'provider' = 'qwen',
  'model' = 'text-embedding-v4',
  'batch-size' = '10',
  'max-tokens' = '512'
);
ALTER MODEL thinker SET ('temperature' = '0.5', 'batch-api' = 'true');
CREATE TEMPORARY TABLE sink (id INT, answer STRING) WITH ('connector' = 'print');
INSERT INTO sink SELECT id, answer FROM ML_PREDICT(TABLE docs, MODEL thinker, DESCRIPTOR(txt));
INSERT INTO sink SELECT id, reply FROM ML_PREDICT(TABLE docs, MODEL keeper, DESCRIPTOR(txt));
RESET 'table.exec.async-ml-predict.async';
"""

# Checked against Flink 2.3 (see the module docstring): 8 statements, all accepted.
EXPECTED = """-- qsql only, left out: SET 'table.exec.async-ml-predict.async' = 'false';
-- qsql only, left out: 'csv.header' = 'true'
CREATE TEMPORARY TABLE docs (id INT, txt STRING) WITH (
  'connector' = 'filesystem',
  'path' = 'docs.csv',
  'format' = 'csv'
);
-- provider 'qwen' (qsql extension) is Flink's 'openai' provider with the full endpoint path
-- 'api-key': Flink has no ${VAR}; replace ${DASHSCOPE_API_KEY} with the key before submitting, e.g. envsubst '${DASHSCOPE_API_KEY}' < this.sql > job.sql, or export with --inline-secrets
-- qsql only, left out: 'enable-thinking' = 'true'
-- qsql only, left out: 'requests-per-minute' = '60'
-- qsql only, left out of OUTPUT: reasoning_content STRING
CREATE MODEL thinker
INPUT (txt STRING)
OUTPUT (answer STRING)
WITH (
  'provider' = 'openai',
  'endpoint' = 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
  'api-key' = '${DASHSCOPE_API_KEY}',
  'model' = 'qwen-plus'
);
-- provider 'deepseek' (qsql extension) is Flink's 'openai' provider with the full endpoint path
-- 'api-key': Flink has no ${VAR}; replace ${DEEPSEEK_API_KEY} with the key before submitting, e.g. envsubst '${DEEPSEEK_API_KEY}' < this.sql > job.sql, or export with --inline-secrets
-- qsql only, left out of OUTPUT: `error-string` STRING
-- qsql only, left out of OUTPUT: `http-status-code` INT
CREATE MODEL keeper
INPUT (txt STRING)
OUTPUT (reply STRING)
WITH (
  'provider' = 'openai',
  'endpoint' = 'https://api.deepseek.com/chat/completions',
  'api-key' = '${DEEPSEEK_API_KEY}',
  'model' = 'deepseek-chat',
  'error-handling-strategy' = 'IGNORE'
);
-- provider 'qwen' (qsql extension) is Flink's 'openai' provider with the full endpoint path
-- 'api-key': Flink has no ${VAR}; replace ${DASHSCOPE_API_KEY} with the key before submitting, e.g. envsubst '${DASHSCOPE_API_KEY}' < this.sql > job.sql, or export with --inline-secrets
-- qsql only, left out: 'batch-size' = '10'
-- qsql only, left out: 'max-tokens' = '512'
CREATE MODEL embedder
INPUT (txt STRING)
OUTPUT (vec ARRAY<FLOAT>)
WITH (
  'provider' = 'openai',
  'endpoint' = 'https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings',
  'api-key' = '${DASHSCOPE_API_KEY}',
  'model' = 'text-embedding-v4'
);
-- qsql only, left out: 'batch-api' = 'true'
ALTER MODEL thinker SET ('temperature' = '0.5');
CREATE TEMPORARY TABLE sink (id INT, answer STRING) WITH ('connector' = 'print');
INSERT INTO sink SELECT id, answer FROM ML_PREDICT(TABLE docs, MODEL thinker, DESCRIPTOR(txt));
INSERT INTO sink SELECT id, reply FROM ML_PREDICT(TABLE docs, MODEL keeper, DESCRIPTOR(txt));
-- qsql only, left out: RESET 'table.exec.async-ml-predict.async';
"""

WARNINGS = [
    "t.sql:1:1: setting 'table.exec.async-ml-predict.async' is qsql-only: Flink reads 'async' only from "
    "ML_PREDICT's config MAP (MAP['async', 'false']); left out",
    "t.sql:6:3: table option 'csv.header' of docs is qsql-only",
    "t.sql:14:3: model option 'enable-thinking' of thinker is qsql-only",
    "t.sql:15:3: model option 'requests-per-minute' of thinker is qsql-only",
    "t.sql:10:24: output column 'reasoning_content' of thinker is a qsql extension",
    "t.sql:19:23: output column 'error-string' of keeper is a qsql extension",
    "t.sql:19:46: output column 'http-status-code' of keeper is a qsql extension",
    "t.sql:32:3: model option 'batch-size' of embedder is qsql-only",
    "t.sql:33:3: option 'max-tokens' of embedder left out: Flink's openai provider counts tokens only",
    "t.sql:35:49: model option 'batch-api' is qsql-only",
    "t.sql:39:1: setting 'table.exec.async-ml-predict.async' is qsql-only",
]


def export(sql: str, strict: bool = False) -> tuple[str, list[str]]:
    result = translate(sql, "t.sql", TranslateOptions(strict=strict, env={}))
    return result.script, [finding.render() for finding in result.findings]


def test_every_extension_is_translated_or_left_out_with_a_comment_and_a_warning() -> None:
    script, findings = export(SCRIPT)
    assert script == EXPECTED
    assert len(findings) == len(WARNINGS)
    for finding, start in zip(findings, WARNINGS, strict=True):
        assert finding.startswith(start), finding
    # What is left parses as the statements Flink ran (the RESET and its SET are comments now).
    kinds = [type(s).__name__ for s in parse(script, "out.sql")]
    assert (
        kinds
        == ["CreateTable", "CreateModel", "CreateModel", "CreateModel", "AlterModel", "CreateTable"] + ["Insert"] * 2
    )


def test_strict_refuses_with_one_line_naming_the_first_option() -> None:
    with pytest.raises(QsqlError) as refused:
        export(SCRIPT, strict=True)
    message = str(refused.value).splitlines()[0]
    assert "--strict: setting 'table.exec.async-ml-predict.async' is qsql-only" in message
    assert message.endswith("(and 10 more)")


def test_an_alter_model_of_only_qsql_options_is_commented_out_whole() -> None:
    # Flink has no ALTER MODEL m SET (); checked against Flink 2.3 with the statements around it.
    sql = (
        "CREATE MODEL m INPUT (txt STRING) OUTPUT (answer STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
        "ALTER MODEL m SET ('batch-api' = 'true', 'requests-per-minute' = '60');\n"
        "ALTER MODEL m SET ('top_p' = '0.5');\n"
    )
    script, findings = export(sql)
    assert "-- qsql only, left out: ALTER MODEL m SET ('batch-api' = 'true', 'requests-per-minute' = '60');\n" in script
    assert "ALTER MODEL m SET ('top-p' = '0.5');" in script
    assert len(findings) == 2
    result = translate(sql, "t.sql", TranslateOptions(env={}))
    assert [s.sql.split("(")[0].strip() for s in result.statements] == ["CREATE MODEL m INPUT", "ALTER MODEL m SET"]


def test_a_comment_quoting_a_multi_line_value_stays_one_comment() -> None:
    sql = (
        "CREATE MODEL m INPUT (t STRING) OUTPUT (a STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus',\n"
        "'source-lang' = 'auto\nSELECT 1');"
    )
    script, _ = export(sql)
    assert "-- qsql only, left out: 'source-lang' = 'auto SELECT 1'\n" in script
    assert [type(s).__name__ for s in parse(script, "out.sql")] == ["CreateModel"]


STRING, FLOATS = DataType("STRING"), DataType("ARRAY", element=DataType("FLOAT"))


@pytest.mark.parametrize(
    ("model", "outputs", "task"),
    [
        ("qwen-plus", [("content", STRING)], CHAT),
        ("text-embedding-v4", [("content", STRING)], EMBEDDINGS),
        ("my-embedder", [("v", FLOATS)], EMBEDDINGS),
        ("my-embedder", [("v", FLOATS), ("error-string", STRING)], EMBEDDINGS),
        # The reasoning column is not an answer either: Flink's provider never sees it (it is left
        # out of the exported OUTPUT), so the one remaining column decides, for qsql and for Flink.
        ("my-embedder", [("v", FLOATS), ("reasoning_content", STRING)], EMBEDDINGS),
        ("my-model", [("a", STRING), ("b", FLOATS)], CHAT),
    ],
)
def test_one_task_rule_for_qsql_and_the_flink_export(
    model: str, outputs: list[tuple[str, DataType]], task: str
) -> None:
    assert task_from_model(model, outputs) == task
    columns = ", ".join(f"`{name}` {'STRING' if dtype.kind != 'ARRAY' else 'ARRAY<FLOAT>'}" for name, dtype in outputs)
    sql = (
        f"CREATE MODEL m INPUT (t STRING) OUTPUT ({columns}) WITH ('provider' = 'openai', "
        f"'endpoint' = 'https://api.openai.com/v1', 'model' = '{model}');"
    )
    endpoint = next(o for o in parse(export(sql)[0], "out.sql")[0].options if o.key == "endpoint")  # type: ignore[attr-defined]
    assert endpoint.value == "https://api.openai.com/v1/" + ("chat/completions" if task == CHAT else "embeddings")


def test_values_are_written_as_qsql_reads_them() -> None:
    # Checked against Flink 2.3: as written, ' 2 ' and '1_000' fail with NumberFormatException and
    # ' ignore ' fails the enum; the values below were accepted. 'a, b ,c' would stop at ' b ' on
    # Flink (it splits on ',' and keeps spaces) where qsql stops at 'b'.
    sql = (
        "CREATE MODEL m INPUT (x STRING) OUTPUT (y STRING) WITH ('provider' = 'openai', "
        "'endpoint' = 'https://api.openai.com/v1', 'model' = 'gpt-4o', 'n' = ' 2 ', 'max_tokens' = '1_000', "
        "'error-handling-strategy' = ' ignore ', 'temperature' = '1_0', 'stop' = 'a, b ,c', 'seed' = '7');\n"
        "ALTER MODEL m SET ('retry-num' = ' 3');\n"
    )
    script, findings = export(sql)
    statements = parse(script, "out.sql")
    options = {o.key: o.value for o in statements[0].options}  # type: ignore[attr-defined]
    assert options["n"] == "2" and options["max-tokens"] == "1000" and options["seed"] == "7"
    assert options["error-handling-strategy"] == "ignore" and options["temperature"] == "10.0"
    assert options["stop"] == "a,b,c"
    assert statements[1].set_options[0].value == "3"  # type: ignore[attr-defined]
    assert "-- 'n' = ' 2 ' is written '2', as qsql reads it\n" in script
    assert "-- 'stop' = 'a, b ,c' is written 'a,b,c', as qsql reads it\n" in script
    assert findings == []


def test_types_flink_compares_exactly_are_reported() -> None:
    # Checked against Flink 2.3: "input column x should be STRING, but is a VARCHAR(100)" and
    # "output column y should be STRING, but is a STRING NOT NULL" when ML_PREDICT is planned.
    sql = (
        "CREATE MODEL m INPUT (x VARCHAR(100)) OUTPUT (y STRING NOT NULL) WITH ('provider' = 'qwen', "
        "'model' = 'qwen-plus');"
    )
    _, findings = export(sql)
    assert findings == [
        "t.sql:1:23: input column 'x' of m is VARCHAR(100); Flink's openai provider takes only STRING: declare STRING",
        "t.sql:1:47: output column 'y' of m is STRING NOT NULL; Flink's openai provider gives only STRING: "
        "declare STRING",
    ]


def test_the_warning_names_the_statements_that_read_a_column_left_out() -> None:
    # Checked against Flink 2.3: such an INSERT fails with "Column 'reasoning_content' not found in any table".
    sql = (
        "CREATE MODEL thinker INPUT (txt STRING) OUTPUT (answer STRING, reasoning_content STRING)\n"
        "WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
        "CREATE TEMPORARY VIEW docs(id, txt) AS VALUES (1, 'a');\n"
        "SELECT id, answer FROM ML_PREDICT(TABLE docs, MODEL thinker, DESCRIPTOR(txt));\n"
        "SELECT id, reasoning_content FROM ML_PREDICT(TABLE docs, MODEL thinker, DESCRIPTOR(txt));\n"
    )
    _, findings = export(sql)
    assert len(findings) == 1
    assert findings[0].endswith("so it is left out: queries that read it must change (line 5 reads it)")


def test_create_or_replace_of_an_object_the_script_made_drops_it_first() -> None:
    # Checked against Flink 2.3: without the DROPs, each CREATE OR REPLACE below fails ("Temporary
    # table ... already exists", ModelAlreadyExistException); with them all 12 statements ran.
    sql = (
        "CREATE TEMPORARY VIEW v(id, txt) AS VALUES (1, 'a');\n"
        "CREATE OR REPLACE TEMPORARY VIEW v(id, txt) AS VALUES (3, 'c');\n"
        "CREATE MODEL m INPUT (txt STRING) OUTPUT (answer STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');\n"
        "CREATE OR REPLACE MODEL m INPUT (txt STRING) OUTPUT (answer STRING) "
        "WITH ('provider' = 'qwen', 'model' = 'qwen-turbo');\n"
        "CREATE TEMPORARY TABLE t (id INT) WITH ('connector' = 'print');\n"
        "CREATE OR REPLACE TEMPORARY TABLE t (id INT, n INT) WITH ('connector' = 'print');\n"
        "DROP TEMPORARY TABLE t;\n"
        "CREATE OR REPLACE TEMPORARY TABLE t (id INT) WITH ('connector' = 'print');\n"
        "CREATE OR REPLACE TEMPORARY VIEW w AS SELECT 1 AS a;\n"
    )
    script, findings = export(sql)
    note = "-- qsql's CREATE OR REPLACE replaces; Flink 2.3 refuses it for an existing object: dropped first\n"
    assert f"{note}DROP TEMPORARY VIEW IF EXISTS `v`;\nCREATE OR REPLACE TEMPORARY VIEW v(id, txt)" in script
    assert f"{note}DROP MODEL IF EXISTS `m`;\n" in script
    assert f"{note}DROP TEMPORARY TABLE IF EXISTS `t`;\nCREATE OR REPLACE TEMPORARY TABLE t (id INT, n INT)" in script
    assert script.count("IF EXISTS") == 3  # not after the DROP, not for a name the script never made
    assert findings == []
    # --engine flink runs the same DROPs, each just before its statement.
    result = translate(sql, "t.sql", TranslateOptions(env={}, secrets="inline", stub_base_url="http://127.0.0.1:9"))
    drops = [(s.sql, s.span.line) for s in result.statements if s.sql.startswith("DROP") and "IF EXISTS" in s.sql]
    assert drops == [
        ("DROP TEMPORARY VIEW IF EXISTS `v`", 2),
        ("DROP MODEL IF EXISTS `m`", 4),
        ("DROP TEMPORARY TABLE IF EXISTS `t`", 6),
    ]


def test_inline_keys_are_known_to_whatever_runs_the_script() -> None:
    sql = "CREATE MODEL m INPUT (t STRING) OUTPUT (a STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
    result = translate(sql, "t.sql", TranslateOptions(env={"DASHSCOPE_API_KEY": "sk-env"}, secrets="inline"))
    assert result.secrets == {"sk-env"}
    assert translate(sql, "t.sql", TranslateOptions(env={"DASHSCOPE_API_KEY": "sk-env"})).secrets == set()
