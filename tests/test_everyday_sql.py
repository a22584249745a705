"""Everyday scripts around ML_PREDICT, run end to end with `qsql run --stub` (the `cli` fixture).

Each script is the kind a user prototypes before deploying to Flink: a file source, a prompt
built in SQL, ML_PREDICT, post-processing, a print sink. The SQL around the model was run in
Flink 2.3 (with a stand-in model provider; its replies are 'ECHO:' + prompt where the stub's
are '[stub] ' + prompt) and the rows marked (Flink 2.3) are Flink's, with the reply prefix
swapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CliRunner

MODEL = (
    "CREATE MODEL m INPUT (prompt STRING) OUTPUT (content STRING) "
    "WITH ('provider' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', "
    "'api-key' = 'sk-test', 'model' = 'gpt-4o-mini');\n"
)
EMBEDDING_MODEL = (
    "CREATE MODEL e INPUT (doc STRING) OUTPUT (embedding ARRAY<FLOAT>) "
    "WITH ('provider' = 'openai', 'endpoint' = 'https://api.openai.com/v1/embeddings', "
    "'api-key' = 'sk-test', 'model' = 'text-embedding-3-small', 'dimension' = '4');\n"
)


def run(cli: CliRunner, tmp_path: Path, script: str) -> tuple[list[str], str]:
    path = tmp_path / "script.sql"
    path.write_text(script, encoding="utf-8")
    result = cli("run", "--stub", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), result.stderr


def test_csv_with_quotes_and_empty_fields_to_print(cli: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    data.write_text('1,phone,"Great, really great"\n2,,""\n3,"lap""top",bad\n4,tv,\n', encoding="utf-8")
    out, _ = run(
        cli,
        tmp_path,
        f"CREATE TEMPORARY TABLE reviews (id INT, product STRING, review STRING) WITH ("
        f"'connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');\n"
        + MODEL
        + "CREATE TEMPORARY TABLE out1 (id INT, product STRING, label STRING) WITH ('connector' = 'print');\n"
        "INSERT INTO out1 SELECT id, product, content FROM ML_PREDICT(TABLE reviews, MODEL m, DESCRIPTOR(review));\n",
    )
    # (Flink 2.3) an empty CSV field is an empty string, and an empty prompt is still sent
    assert out == [
        "+I[1, phone, [stub] Great, really great]",
        "+I[2, , [stub] ]",
        '+I[3, lap"top, [stub] bad]',
        "+I[4, tv, [stub] ]",
    ]


def test_json_source_filtered_by_a_view_drops_null_prompts(cli: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "tickets.jsonl"
    data.write_text(
        '{"id": 1, "customer": "acme", "body": "server down", "prio": 3}\n'
        '{"id": 2, "customer": null, "body": "password reset", "prio": 1}\n'
        '{"id": 3, "body": "billing wrong", "prio": 2}\n'
        '{"id": 5, "customer": "zed", "body": null, "prio": 5}\n',
        encoding="utf-8",
    )
    out, err = run(
        cli,
        tmp_path,
        f"CREATE TEMPORARY TABLE tickets (id BIGINT, customer STRING, body STRING, prio INT) WITH ("
        f"'connector' = 'filesystem', 'path' = '{data}', 'format' = 'json');\n"
        + MODEL
        + "CREATE TEMPORARY VIEW urgent AS SELECT id, customer, body FROM tickets WHERE prio >= 2;\n"
        "CREATE TEMPORARY TABLE sink (id BIGINT, customer STRING, answer STRING) "
        "WITH ('connector' = 'print', 'print-identifier' = 'urgent');\n"
        "INSERT INTO sink SELECT id, customer, content FROM ML_PREDICT(TABLE urgent, MODEL m, DESCRIPTOR(body));\n",
    )
    # (Flink 2.3) a missing field is NULL; the NULL prompt gives no row
    assert out == ["urgent> +I[1, acme, [stub] server down]", "urgent> +I[3, null, [stub] billing wrong]"]
    assert "skipped 1 row whose input is NULL" in err


def test_prompt_built_in_a_subquery_and_post_processed(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, product, stars) AS VALUES (1, 'phone', 5), (2, CAST(NULL AS STRING), 3);\n"
        + MODEL
        + "CREATE TEMPORARY TABLE s (id INT, prompt STRING, answer STRING, n INT) WITH ('connector' = 'print');\n"
        "INSERT INTO s SELECT id, prompt, UPPER(TRIM(content)), TRY_CAST(SPLIT_INDEX(content, ' ', 3) AS INT)\n"
        "FROM ML_PREDICT((SELECT id, 'Rate ' || product || ' ' || CAST(stars AS STRING) AS prompt FROM v),\n"
        "  MODEL m, DESCRIPTOR(prompt));\n",
    )
    # (Flink 2.3) || with a NULL is NULL, so row 2 sends nothing and yields nothing
    assert out == ["+I[1, Rate phone 5, [STUB] RATE PHONE 5, 5]"]


def test_labels_counted_with_group_by_and_filter(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, region, q) AS VALUES (1, 'eu', 'pos'), (2, 'eu', 'neg'), (3, 'us', 'pos'), "
        "(4, 'us', 'pos');\n" + MODEL + "SELECT region, COUNT(*) FILTER (WHERE content = '[stub] pos') AS pos,\n"
        "  SUM(CASE WHEN content = '[stub] neg' THEN 1 ELSE 0 END) AS neg,\n"
        "  CAST(COUNT(*) FILTER (WHERE content = '[stub] pos') AS DOUBLE) / COUNT(*) AS share\n"
        "FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(q)) GROUP BY region ORDER BY region;\n",
    )
    # (Flink 2.3)
    assert out == [
        "+--------+-----+-----+-------+",
        "| region | pos | neg | share |",
        "+--------+-----+-----+-------+",
        "|     eu |   1 |   1 |   0.5 |",
        "|     us |   2 |   0 |   1.0 |",
        "+--------+-----+-----+-------+",
        "2 rows in set",
    ]


def test_config_map_and_two_sinks_in_a_statement_set(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, txt, lang) AS VALUES (1, 'hello', 'en'), (2, 'bonjour', 'fr'), (3, 'hi', 'en');\n"
        + MODEL
        + "CREATE TEMPORARY TABLE en (id INT, answer STRING) WITH ('connector' = 'print', 'print-identifier' = 'en');\n"
        "CREATE TEMPORARY TABLE fr (id INT, answer STRING) WITH ('connector' = 'print', 'print-identifier' = 'fr');\n"
        "EXECUTE STATEMENT SET BEGIN\n"
        "  INSERT INTO en SELECT id, content FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt),\n"
        "    MAP['async', 'true', 'max-concurrent-operations', '2', 'timeout', 'PT30S']) WHERE lang = 'en';\n"
        "  INSERT INTO fr SELECT id, content FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt)) WHERE lang = 'fr';\n"
        "END;\n",
    )
    assert out == ["en> +I[1, [stub] hello]", "en> +I[3, [stub] hi]", "fr> +I[2, [stub] bonjour]"]


def test_embeddings_with_cardinality(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, doc) AS VALUES (1, 'apple pie'), (2, 'banana');\n"
        + EMBEDDING_MODEL
        + "CREATE TEMPORARY TABLE s (id INT, dim INT, first_is_float BOOLEAN) WITH ('connector' = 'print');\n"
        "INSERT INTO s SELECT id, CARDINALITY(embedding), TYPEOF(embedding[1]) = 'FLOAT'\n"
        "FROM ML_PREDICT(TABLE v, MODEL e, DESCRIPTOR(doc));\n",
    )
    assert out == ["+I[1, 4, true]", "+I[2, 4, true]"]


def test_embedding_values_unnested(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, doc) AS VALUES (1, 'apple pie');\n"
        + EMBEDDING_MODEL
        + "SELECT p.id, pos, x IS NOT NULL AS present FROM ML_PREDICT(TABLE v, MODEL e, DESCRIPTOR(doc)) AS p\n"
        "CROSS JOIN UNNEST(p.embedding) WITH ORDINALITY AS u (x, pos);\n",
    )
    # (Flink 2.3) one row per element, positions from 1
    assert out[3:7] == [
        "|  1 |   1 |    TRUE |",
        "|  1 |   2 |    TRUE |",
        "|  1 |   3 |    TRUE |",
        "|  1 |   4 |    TRUE |",
    ]


def test_create_table_as_select_from_ml_predict(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "labelled.jsonl"
    out, err = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, q) AS VALUES (1, 'a'), (2, 'b');\n"
        + MODEL
        + f"CREATE TABLE labelled WITH ('connector' = 'filesystem', 'path' = '{target}', 'format' = 'json')\n"
        "AS SELECT id, content AS label FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(q));\n"
        "SELECT * FROM labelled ORDER BY id;\n",
    )
    assert target.read_text(encoding="utf-8").splitlines() == [
        '{"id":1,"label":"[stub] a"}',
        '{"id":2,"label":"[stub] b"}',
    ]
    assert out[3:5] == ["|  1 | [stub] a |", "|  2 | [stub] b |"]
    assert "labelled: 2 rows written" in err


def test_a_view_over_ml_predict_describes_and_shows_as_flink(cli: CliRunner, tmp_path: Path) -> None:
    out, _ = run(
        cli,
        tmp_path,
        "CREATE TEMPORARY VIEW v (id, txt) AS VALUES (1, 'spam offer'), (2, 'meeting at 3');\n"
        + MODEL
        + "CREATE TEMPORARY VIEW scored AS SELECT id, txt, content AS verdict "
        "FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt));\n"
        "DESCRIBE scored;\n"
        "SHOW MODELS FROM default_database;\n",
    )
    # (Flink 2.3) the model's output is a nullable STRING; VALUES strings are VARCHAR(longest)
    assert out[:7] == [
        "+---------+-------------+-------+-----+--------+-----------+",
        "|    name |        type |  null | key | extras | watermark |",
        "+---------+-------------+-------+-----+--------+-----------+",
        "|      id |         INT | FALSE |     |        |           |",
        "|     txt | VARCHAR(12) | FALSE |     |        |           |",
        "| verdict |      STRING |  TRUE |     |        |           |",
        "+---------+-------------+-------+-----+--------+-----------+",
    ]
    assert out[-3:] == ["|          m |", "+------------+", "1 row in set"]


@pytest.mark.parametrize(
    "statement, message",
    [
        # (Flink 2.3) each is refused by Flink too
        ("SELECT * FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(q), MAP[])", "Map requires at least 2 arguments"),
        (
            "SELECT * FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(q), MAP['timeout', '10 mins'])",
            "Time interval unit label 'mins' does not match",
        ),
        ("SELECT * FROM ML_PREDICT(TABLE (SELECT * FROM v), MODEL m, DESCRIPTOR(q))", "unexpected '('"),
        ("SHOW MODELS FROM nodb", "nodb does not exist"),
    ],
)
def test_what_flink_refuses_is_one_located_line(cli: CliRunner, tmp_path: Path, statement: str, message: str) -> None:
    path = tmp_path / "bad.sql"
    path.write_text(
        "CREATE TEMPORARY VIEW v (id, q) AS VALUES (1, 'a');\n" + MODEL + statement + ";\n", encoding="utf-8"
    )
    result = cli("run", "--stub", str(path))
    assert result.returncode != 0 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    first = errors[0]
    assert first.startswith(f"error: {path}:3:") and message in first
    assert "Traceback" not in result.stderr
