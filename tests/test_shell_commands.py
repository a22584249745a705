"""The shell's special commands, pager, editor, editing mode, highlighting and completion,
driven through prompt_toolkit's pipe input (see test_shell.Driven)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pygments.token import Keyword, Name
from rich.console import Console

from qsql.shell.app import Shell, is_shell_command
from qsql.shell.commands import COMMANDS, parse_command
from qsql.shell.help import help_text
from qsql.shell.lexer import grammar_words, qsql_lexer
from qsql.shell.pager import pager_command

from .test_shell import CTRL_D, ENTER, Driven, complete, completer  # noqa: F401  (fixture)


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Driven]:
    driven = Driven(tmp_path)
    list(
        driven.session.execute(
            "CREATE TABLE reviews (id INT, review STRING) WITH ('connector' = 'print');"
            "CREATE MODEL sentiment INPUT (i STRING) OUTPUT (label STRING) "
            "WITH ('provider' = 'qwen', 'api-key' = 'k', 'model' = 'qwen-plus');"
        )
    )
    yield driven
    driven.session.close()


# ------------------------------------------------------------------ the registry
def test_every_command_is_in_help_and_parses_by_each_name() -> None:
    text = help_text()
    for entry in COMMANDS:
        assert ", ".join(entry.names) in text
        for name in entry.names:
            found = parse_command(name + (" x.sql" if name in ("\\i", "SOURCE") else ""))
            assert found is not None and found.command is entry, name


def test_sql_is_not_a_command_and_unknown_backslashes_are() -> None:
    assert parse_command("SELECT 1;") is None
    assert parse_command("source") is None  # SOURCE without a file is not a command
    unknown = parse_command("\\zz")
    assert unknown is not None and unknown.command is None and unknown.word == "\\zz"
    assert is_shell_command("\\zz") and is_shell_command("\\d reviews") and is_shell_command("SELECT 1 \\e")


def test_unknown_backslash_command_answers_at_once(shell: Driven) -> None:
    text = shell.run("\\zz" + ENTER + "SELECT 42 AS answer;" + ENTER)
    assert "unknown command \\zz" in text and "42" in text
    assert "...>" not in text


def test_d_lists_tables_and_describes_one(shell: Driven) -> None:
    text = shell.run("\\d" + ENTER + "\\d reviews" + ENTER + "\\d sentiment" + ENTER)
    assert "table name" in text and "reviews" in text
    assert "review" in text and "STRING" in text and "INT" in text
    assert "is input" in text  # \d on a model describes the model


def test_dm_lists_and_describes_models(shell: Driven) -> None:
    text = shell.run("\\dm" + ENTER + "\\dm sentiment" + ENTER)
    assert "model name" in text and "sentiment" in text and "label" in text


def test_i_and_source_run_an_unquoted_file(shell: Driven, tmp_path: Path) -> None:
    script = tmp_path / "s.sql"
    script.write_text("CREATE VIEW w AS SELECT 5 AS five;\nSELECT five FROM w;\n", encoding="utf-8")
    text = shell.run(f"\\i {script}" + ENTER + f"SOURCE {script};" + ENTER + "\\i nowhere.sql" + ENTER)
    assert text.count("five") >= 2 and "cannot read nowhere.sql" in text


def test_q_leaves(shell: Driven) -> None:
    text = shell.run("\\q" + ENTER + "SELECT 'never' AS x;" + ENTER)
    assert "never" not in text


def test_format_and_mode_switch_the_output(shell: Driven) -> None:
    text = shell.run(
        "\\format csv"
        + ENTER
        + "SELECT 1 AS a, 'x' AS b;"
        + ENTER
        + ".mode json"
        + ENTER
        + "SELECT 2 AS a;"
        + ENTER
        + "\\format yaml"
        + ENTER
        + "\\format"
        + ENTER
    )
    assert "a,b\n1,x\n" in text
    assert '{"a":2}' in text
    assert "unknown output format 'yaml'" in text and "output format: json" in text
    assert shell.session.settings["qsql.output.format"] == "json"


def test_x_toggles_expanded_display(shell: Driven) -> None:
    text = shell.run("\\x" + ENTER + "SELECT 1 AS a, 'x' AS b;" + ENTER + "\\x" + ENTER + "SELECT 3 AS c;" + ENTER)
    assert "expanded display is on" in text and "-[ RECORD 1 ]" in text and "a | 1" in text
    assert "expanded display is off" in text and "│ c │" in text


def test_timing_toggles_the_time_in_the_footer(shell: Driven) -> None:
    text = shell.run("\\timing" + ENTER + "SELECT 1 AS a;" + ENTER)
    assert "timing is off" in text and "1 row in set\n" in text


@pytest.mark.parametrize(
    "command, key, what",
    [("\\x", "qsql.output.expanded", "expanded display"), ("\\timing", "qsql.shell.timing", "timing")],
)
def test_on_off_commands_share_one_switch(shell: Driven, command: str, key: str, what: str) -> None:
    text = shell.run(command + " on" + ENTER + command + " OFF" + ENTER + command + " maybe" + ENTER)
    assert f"{what} is on" in text and f"{what} is off" in text
    assert f"error: {command} takes on or off, got 'maybe'" in text
    assert shell.session.settings[key] == "off"


def test_editor_edits_the_statement_and_leaves_it_at_the_prompt(
    shell: Driven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.sql"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(seen)!r}).write_text(pathlib.Path(sys.argv[1]).read_text())\n"
        "pathlib.Path(sys.argv[1]).write_text('SELECT 7 * 6 AS edited;\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    text = shell.run("SELECT 1 AS typed \\e" + ENTER, ENTER)
    assert seen.read_text(encoding="utf-8") == "SELECT 1 AS typed\n"
    assert "edited" in text and "42" in text and "typed" not in text.split("\\q to leave.")[-1]


def test_e_alone_edits_the_last_statement(shell: Driven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen.sql"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys, shutil\nshutil.copy(sys.argv[1], {str(seen)!r})\n", encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    shell.run("SELECT 5 AS last;" + ENTER + "\\e" + ENTER, ENTER)
    assert seen.read_text(encoding="utf-8") == "SELECT 5 AS last;\n"


def test_pager_gets_long_results_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.py"
    pager.write_text(f"import sys\nopen({str(paged)!r}, 'a').write(sys.stdin.read())\n", encoding="utf-8")
    monkeypatch.setenv("PAGER", f"{sys.executable} {pager}")
    driven = Driven(tmp_path)
    console = Console(file=driven.console_text, width=80, height=20, color_system=None)
    with create_pipe_input() as pipe:
        pipe.send_text(
            "SELECT * FROM (VALUES (1), (2)) AS t(few);"
            + ENTER
            + "SELECT x FROM (VALUES "
            + ", ".join(f"({i})" for i in range(40))
            + ") AS t(x);"
            + ENTER
            + CTRL_D
        )
        Shell(
            driven.session,
            input=pipe,
            output=DummyOutput(),
            history_path=driven.history,
            console=console,
            terminal=True,
        ).run()
    driven.session.close()
    assert "│ 39 │" in paged.read_text(encoding="utf-8")
    assert "few" not in paged.read_text(encoding="utf-8")  # it fit on the screen: printed, not paged
    assert "few" in driven.console_text.getvalue()


def test_pager_command_from_setting_and_environment() -> None:
    assert pager_command("on", {}) == ["less", "-SRXF"]
    assert pager_command("on", {"PAGER": "more"}) == ["more"]
    assert pager_command("on", {"PAGER": ""}) is None
    assert pager_command("off", {"PAGER": "more"}) is None
    assert pager_command("most -s", {}) == ["most", "-s"]


def test_no_pager_when_not_a_terminal(shell: Driven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGER", f"{sys.executable} -c 'raise SystemExit(9)'")
    text = shell.run("SELECT x FROM (VALUES " + ", ".join(f"({i})" for i in range(60)) + ") AS t(x);" + ENTER)
    assert "│ 59 │" in text


def test_vi_mode_from_the_setting_and_the_command(shell: Driven) -> None:
    shell.session.settings["qsql.shell.editing-mode"] = "vi"
    with create_pipe_input() as pipe:
        pipe.send_text(CTRL_D)
        driven_shell = Shell(
            shell.session,
            input=pipe,
            output=DummyOutput(),
            history_path=shell.history,
            console=Console(file=shell.console_text, width=200, color_system=None),
        )
        assert driven_shell.prompt.editing_mode == EditingMode.VI
        driven_shell.handle("\\editing emacs")
        assert driven_shell.prompt.editing_mode == EditingMode.EMACS
        driven_shell.handle("SET 'qsql.shell.editing-mode' = 'vi';")
        assert driven_shell.prompt.editing_mode == EditingMode.VI


def test_a_key_recalled_from_history_as_the_mask_is_refused(shell: Driven) -> None:
    text = shell.run(
        "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', "
        "'model' = 'qwen-plus', 'api-key' = '****');" + ENTER
    )
    assert "the 'api-key' is '****', the mask qsql's history stores instead of a key" in text
    assert "qsql keys set qwen" in text
    assert not shell.session.catalog.model_exists("m")


# ------------------------------------------------------------------ highlighting and completion
def test_qsql_words_are_highlighted_as_keywords() -> None:
    tokens = {
        value.upper(): kind
        for kind, value in qsql_lexer()().get_tokens(
            "select * from ml_predict(TABLE t, MODEL m, DESCRIPTOR(x)); CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING);"
            " SELECT a FROM t WHERE b ILIKE 'x' AND c IS NOT NULL; SHOW MODELS; SELECT CURRENT_TIMESTAMP"
        )
    }
    assert tokens["ML_PREDICT"] in Name.Builtin
    for word in ("DESCRIPTOR", "MODEL", "INPUT", "OUTPUT", "SELECT", "ILIKE", "MODELS", "STRING", "CURRENT_TIMESTAMP"):
        assert tokens[word] in Keyword, word
    assert tokens["A"] not in Keyword and tokens["T"] not in Keyword


def test_highlighted_words_come_from_the_grammar() -> None:
    highlighted = set(grammar_words())
    # Words the grammar gained after the hand-kept list this replaced.
    assert {"ILIKE", "MODIFY", "RETURNING", "DESCRIPTOR"} <= highlighted
    assert "ML_PREDICT" not in highlighted  # a built-in, not a keyword


def test_from_offers_ml_predict(completer) -> None:  # noqa: F811
    offered = complete(completer, "SELECT * FROM ")
    assert "ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(col))" in offered and "reviews" in offered
    assert complete(completer, "SELECT * FROM ML_") == ["ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(col))", "ML_PREDICT"]


def test_map_config_keys_inside_ml_predict(completer) -> None:  # noqa: F811
    head = "SELECT * FROM ML_PREDICT(TABLE recent, MODEL sentiment, DESCRIPTOR(txt), MAP["
    assert complete(completer, head) == ["'max-concurrent-operations'", "'async'", "'output-mode'", "'timeout'"]
    assert complete(completer, head + "'async', 'true', ") == [
        "'max-concurrent-operations'",
        "'output-mode'",
        "'timeout'",
    ]


def test_show_targets(completer) -> None:  # noqa: F811
    assert complete(completer, "SHOW ") == [
        "TABLES",
        "VIEWS",
        "MODELS",
        "FUNCTIONS",
        "CREATE TABLE",
        "CREATE VIEW",
        "CREATE MODEL",
    ]
    assert complete(completer, "SHOW CREATE M") == ["MODEL"]


def test_shell_commands_and_their_arguments_complete(completer) -> None:  # noqa: F811
    assert complete(completer, "\\fo") == ["\\format"]
    assert complete(completer, ".mo") == [".mode"]
    assert complete(completer, "\\format j") == ["json", "jsonl"]
    assert complete(completer, "\\dm s") == ["sentiment"]
    assert complete(completer, "\\d re") == ["recent", "reviews"]


def test_usage_shows_the_session_total(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    driven = Driven(tmp_path, stub_base_url=stub.base_url)
    try:
        text = driven.run(
            "\\usage" + ENTER + "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', "
            "'model' = 'qwen-plus'); CREATE VIEW v (i) AS VALUES ('a');"
            + ENTER
            + "SELECT o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i));"
            + ENTER
            + "\\usage"
            + ENTER
        )
    finally:
        driven.session.close()
    assert "no model calls yet in this session" in text
    assert "[INFO] session total: 1 request," in text and "est. $" in text
