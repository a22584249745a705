"""The interactive shell through prompt_toolkit's pipe input and a dummy output."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from qsql.session import Session
from qsql.shell.app import Shell
from qsql.shell.completer import QsqlCompleter

ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"


class Driven:
    def __init__(self, tmp_path: Path, **session_options: object) -> None:
        self.out = io.StringIO()
        self.session = Session(out=self.out, err=self.out, env={}, **session_options)  # type: ignore[arg-type]
        self.history = tmp_path / "history"
        self.console_text = io.StringIO()

    def run(self, keys: str, *later: str) -> str:
        """Type ``keys``, then each of ``later`` after a pause (as a person would, giving the
        prompt time to load its history), then Ctrl-D."""
        with create_pipe_input() as pipe:
            if later:
                pipe.send_text(keys)

                def type_later() -> None:
                    for chunk in later:
                        time.sleep(0.5)
                        pipe.send_text(chunk)
                    time.sleep(0.3)
                    pipe.send_text(CTRL_D)

                threading.Thread(target=type_later, daemon=True).start()
            else:
                pipe.send_text(keys + CTRL_D)
            shell = Shell(
                self.session,
                input=pipe,
                output=DummyOutput(),
                history_path=self.history,
                console=Console(file=self.console_text, width=200, color_system=None),
            )
            code = shell.run()
        assert code == 0
        return self.console_text.getvalue() + self.out.getvalue()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Driven]:
    driven = Driven(tmp_path)
    yield driven
    driven.session.close()


def test_banner_names_version_and_settings(shell: Driven) -> None:
    text = shell.run("")
    assert text.startswith("qsql 0.1.0") and "cache: memory" in text and "HELP for help" in text


def test_enter_on_an_unfinished_statement_continues_it(shell: Driven) -> None:
    text = shell.run("SELECT" + ENTER + "40 + 2 AS answer;" + ENTER)
    assert "answer" in text and "42" in text and "1 row in set" in text


def test_several_statements_in_one_input_run_in_order(shell: Driven) -> None:
    text = shell.run("CREATE VIEW v AS SELECT 7 AS n; SELECT n * 6 AS m FROM v;" + ENTER)
    assert "42" in text
    assert shell.session.catalog.relation_exists("v")


def test_a_semicolon_inside_a_string_does_not_end_the_statement(shell: Driven) -> None:
    text = shell.run("SELECT 'a;" + ENTER + "b' AS s;" + ENTER)
    assert "a; b" in text or "a;" in text  # the newline inside the string is shown as a space


def test_errors_show_a_caret_and_the_shell_keeps_going(shell: Driven) -> None:
    text = shell.run("CREATE VIEW bad AS SELECT nope;" + ENTER + "SELECT 1 AS uno;" + ENTER)
    assert "error: <shell>:1:27: Column 'nope' not found" in text
    assert "                           ^^^^" in text
    assert "uno" in text and "1 row in set" in text
    assert not shell.session.catalog.relation_exists("bad")  # the failed statement changed nothing


def test_ctrl_c_at_the_prompt_clears_the_line(shell: Driven) -> None:
    text = shell.run("SELECT 111 AS first" + CTRL_C + "SELECT 222 AS two;" + ENTER)
    assert "two" in text and "first" not in text.split("HELP for help")[-1]


def test_quit_and_help(shell: Driven) -> None:
    text = shell.run("help" + ENTER + "quit" + ENTER + "SELECT 'never' AS x;" + ENTER)
    assert "\\i, SOURCE FILE" in text and "Model options:" in text
    assert "never" not in text


def test_source_runs_a_script(shell: Driven, tmp_path: Path) -> None:
    script = tmp_path / "s.sql"
    script.write_text("CREATE VIEW w AS SELECT 5 AS five;\nSELECT five FROM w;\n", encoding="utf-8")
    text = shell.run(f"SOURCE '{script}'" + ENTER + "SOURCE 'missing.sql';" + ENTER)
    assert "five" in text and shell.session.catalog.relation_exists("w")
    assert "cannot read missing.sql" in text


def test_print_sink_rows_stay_in_flink_format(shell: Driven) -> None:
    text = shell.run(
        "CREATE TABLE p (a INT, b STRING) WITH ('connector' = 'print'); INSERT INTO p VALUES (1, 'x');" + ENTER
    )
    assert "+I[1, x]" in text and "[INFO] p: 1 row written" in text


def test_long_results_are_cut_with_a_note(shell: Driven) -> None:
    shell.session.settings["qsql.shell.max-rows"] = "3"
    text = shell.run("SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS t (n);" + ENTER)
    assert "5 rows in set" in text and "showing the first 3" in text


def test_history_never_records_an_api_key(shell: Driven) -> None:
    shell.run(
        "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk-super-secret');" + ENTER
    )
    history = shell.history.read_text(encoding="utf-8")
    assert "CREATE MODEL m" in history and "sk-super-secret" not in history and "'api-key' = '****'" in history


# ------------------------------------------------------------------------- completion


@pytest.fixture
def completer() -> Iterator[QsqlCompleter]:
    session = Session(out=io.StringIO(), err=io.StringIO(), env={})
    list(
        session.execute(
            "CREATE TABLE reviews (id INT, review STRING) WITH ('connector' = 'print');"
            "CREATE VIEW recent (id, txt) AS VALUES (1, 'a');"
            "CREATE MODEL sentiment INPUT (i STRING) OUTPUT (label STRING) WITH ('provider' = 'qwen', 'api-key' = 'k', 'model' = 'x');"
        )
    )
    yield QsqlCompleter(session.catalog)
    session.close()


def complete(completer: QsqlCompleter, text: str, cursor: int | None = None) -> list[str]:
    document = Document(text, len(text) if cursor is None else cursor)
    return [c.text for c in completer.get_completions(document, None)]  # type: ignore[arg-type]


def test_completes_tables_after_from_and_table(completer: QsqlCompleter) -> None:
    assert complete(completer, "SELECT * FROM re") == ["recent", "reviews"]
    assert complete(completer, "SELECT * FROM ML_PREDICT(TABLE rec") == ["recent"]
    assert complete(completer, "INSERT INTO rev") == ["reviews"]


def test_completes_models_after_model(completer: QsqlCompleter) -> None:
    assert complete(completer, "SELECT * FROM ML_PREDICT(TABLE recent, MODEL s") == ["sentiment"]
    assert complete(completer, "DROP MODEL ") == ["sentiment"]


def test_completes_descriptor_columns_of_the_table_argument(completer: QsqlCompleter) -> None:
    assert complete(completer, "SELECT * FROM ML_PREDICT(TABLE recent, MODEL sentiment, DESCRIPTOR(") == ["id", "txt"]


def test_completes_reserved_and_odd_names_backquoted() -> None:
    """A column called `value` (reserved in Flink) or `my col` completes backquoted, so it parses."""
    with Session(out=io.StringIO(), err=io.StringIO(), env={}) as session:
        list(
            session.execute("CREATE TABLE `result` (`value` INT, `my col` INT, data INT) WITH ('connector' = 'print')")
        )
        completer = QsqlCompleter(session.catalog)
        assert complete(completer, "SELECT * FROM res") == ["`result`"]
        assert complete(completer, "SELECT val FROM `result`", cursor=len("SELECT val"))[0] == "`value`"
        assert complete(completer, "SELECT `my FROM `result`", cursor=len("SELECT `my"))[0] == "`my col`"
        assert complete(completer, "SELECT dat FROM `result`", cursor=len("SELECT dat"))[0] == "data"


def test_completes_columns_in_select_and_where(completer: QsqlCompleter) -> None:
    # the cursor is after "SELECT rev": the columns come from the FROM that follows it
    # columns first; functions that share the prefix (REVERSE) follow
    assert complete(completer, "SELECT rev FROM reviews", cursor=len("SELECT rev"))[0] == "review"
    assert complete(completer, "SELECT id FROM reviews WHERE rev")[0] == "review"
    assert (
        complete(completer, "SELECT * FROM ML_PREDICT(TABLE recent, MODEL sentiment, DESCRIPTOR(txt)) WHERE la")[0]
        == "label"
    )


def test_completes_option_keys_for_the_connector_or_provider(completer: QsqlCompleter) -> None:
    table = complete(completer, "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', '")
    assert "'path' = " in table and "'csv.field-delimiter' = " in table and "'connector' = " not in table
    model = complete(completer, "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'temp")
    assert model == ["'temperature' = "]
    assert complete(completer, "CREATE TABLE t (a INT) WITH (") == ["'connector' = "]


def test_completes_provider_and_connector_names(completer: QsqlCompleter) -> None:
    assert complete(completer, "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = '") == [
        "'deepseek'",
        "'openai'",
        "'qwen'",
    ]
    assert "'filesystem'" in complete(completer, "CREATE TABLE t (a INT) WITH ('connector' = '")


def test_completes_keywords_and_settings(completer: QsqlCompleter) -> None:
    assert "SELECT" in complete(completer, "SEL")
    assert "'qsql.cache'" in complete(completer, "SET ")


def test_ctrl_r_searches_the_history(shell: Driven) -> None:
    text = shell.run("SELECT 40 + 2 AS found_it;" + ENTER + "SELECT 1 AS other;" + ENTER, "\x12found", ENTER, ENTER)
    assert text.count("found_it") == 2  # run once typed, once recalled by Ctrl-R


def test_cells_that_look_like_markup_are_shown_as_they_are(shell: Driven) -> None:
    text = shell.run("SELECT '[stub] reply' AS r, '[bold]x[/bold]' AS b;" + ENTER)
    assert "[stub] reply" in text and "[bold]x[/bold]" in text
