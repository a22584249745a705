"""The Python API (qsql.connect): rows with column names, fetch*, df(), errors, and the
examples of docs/python.md, which run here as written."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import qsql
from qsql.api import Row
from qsql.errors import QsqlError

ROOT = Path(__file__).resolve().parent.parent


def test_connect_execute_fetch() -> None:
    with qsql.connect(env={}) as con:
        con.execute("CREATE VIEW v (n, s) AS VALUES (1, 'a'), (2, 'b'), (3, CAST(NULL AS STRING))")
        cur = con.execute("SELECT n, s FROM v ORDER BY n")
        assert cur.columns == ["n", "s"]
        assert cur.description[0][:2] == ("n", "INT")
        assert cur.rowcount == 3
        first = cur.fetchone()
        assert first == (1, "a") and first.n == 1 and first["s"] == "a" and first.asdict() == {"n": 1, "s": "a"}
        assert cur.fetchmany(1) == [(2, "b")]
        assert cur.fetchall() == [(3, None)]
        assert cur.fetchone() is None and cur.fetchall() == []
        assert repr(first) == "Row(n=1, s='a')"


def test_session_state_persists_and_messages_are_kept() -> None:
    with qsql.connect(env={}, settings={"qsql.output.format": "csv"}) as con:
        cur = con.execute("CREATE VIEW w AS SELECT 1 AS x; SET 'a.b' = 'c'")
        assert cur.messages == ["View 'w' created.", "Session property has been set."]
        assert cur.columns == [] and cur.fetchall() == [] and cur.rowcount == -1
        assert con.sql("SELECT x FROM w").fetchall() == [(1,)]
        assert con.session.settings["qsql.output.format"] == "csv"


def test_inserts_report_rows_written_and_print_rows_go_to_out() -> None:
    out = io.StringIO()
    with qsql.connect(env={}, out=out) as con:
        cur = con.execute("CREATE TABLE p (a INT) WITH ('connector' = 'print'); INSERT INTO p VALUES (1), (2)")
        assert cur.rowcount == 2
    assert out.getvalue() == "+I[1]\n+I[2]\n"


def test_errors_raise_qsql_error_with_the_position() -> None:
    with qsql.connect(env={}) as con, pytest.raises(QsqlError) as caught:
        con.execute("SELECT nope FROM nowhere")
    assert "nowhere" in str(caught.value) and caught.value.span is not None


def test_stub_models_answer_offline() -> None:
    with qsql.connect(stub=True, env={}) as con:
        con.execute(
            "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
            "CREATE VIEW v (id, i) AS VALUES (1, 'hi')"
        )
        assert con.execute("SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i))").fetchall() == [
            (1, "[stub] hi")
        ]


def test_df_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with qsql.connect(env={}) as con:
        cur = con.execute("SELECT 1 AS uno")
        with pytest.raises(QsqlError) as caught:
            cur.df()
    assert caught.value.hint == "pip install 'qsql[pandas]'"


def test_df_with_pandas() -> None:
    pandas = pytest.importorskip("pandas")
    with qsql.connect(env={}) as con:
        frame = con.execute("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t (n, s)").df()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["n", "s"] and frame["n"].tolist() == [1, 2] and frame["s"].tolist() == ["a", "b"]


def test_rows_pickle_with_their_names() -> None:
    import pickle

    row = pickle.loads(pickle.dumps(Row((1, "x"), ("a", "b"))))
    assert row.b == "x" and row == (1, "x")


def test_import_qsql_stays_light() -> None:
    code = "import sys, qsql; print(sorted(m for m in ('httpx', 'lark', 'rich', 'prompt_toolkit') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "block", re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python.md").read_text(), re.DOTALL)
)
def test_docs_python_examples_run(block: str) -> None:
    exec(compile(block, "docs/python.md", "exec"), {})
