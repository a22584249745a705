"""The user's config.toml: starting settings, key variable names, prices; bad files are one
clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from qsql.config import ConfigError, config_path, load_config
from qsql.session import Session
from tests.conftest import CliRunner


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_short_names_sections_and_types(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """
format = "csv"
pager = "off"
editing-mode = "vi"
cache = "off"
expanded = true
[settings]
"table.exec.async-ml-predict.max-concurrent-operations" = 32
[keys]
qwen = "MY_KEY"
[prices."qwen-plus"]
input = 0.5
""",
        )
    )
    assert config.settings == {
        "qsql.output.format": "csv",
        "qsql.shell.pager": "off",
        "qsql.shell.editing-mode": "vi",
        "qsql.cache": "off",
        "qsql.output.expanded": "on",
        "table.exec.async-ml-predict.max-concurrent-operations": "32",
    }
    assert config.key_env == {"qwen": "MY_KEY"} and config.prices == {"qwen-plus": {"input": 0.5}}


def test_the_default_path_is_in_the_user_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "qsql" / "config.toml"
    assert load_config().settings == {}  # no file: an empty config


@pytest.mark.parametrize(
    "text, message",
    [
        ('format = "yaml"', "setting 'qsql.output.format' must be one of"),
        ('colour = "red"', "unknown key 'colour'"),
        ("format = ", "config file"),
        ('[prices."x"]\ninput = "cheap"', "must set 'input' and/or 'output' to a number"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert message in caught.value.message and str(tmp_path) in caught.value.message


def test_set_wins_and_reset_returns_to_the_file(tmp_path: Path) -> None:
    with Session(env={}) as session:
        session.apply_config(load_config(write(tmp_path, 'format = "csv"\ncache = "off"')))
        assert session.settings["qsql.output.format"] == "csv"
        list(session.execute("SET 'qsql.output.format' = 'json'; RESET 'qsql.output.format';"))
        assert session.settings["qsql.output.format"] == "csv"
        list(session.execute("RESET;"))
        assert session.settings == {"qsql.output.format": "csv", "qsql.cache": "off"}


def test_the_cli_reads_the_config(tmp_path: Path, cli: CliRunner) -> None:
    (tmp_path / "qsql").mkdir()
    (tmp_path / "qsql" / "config.toml").write_text('format = "jsonl"', encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = cli("-e", "SELECT 1 AS a;", env=env)
    assert result.stdout == '{"a":1}\n', result.stderr
    (tmp_path / "qsql" / "config.toml").write_text('format = "nope"', encoding="utf-8")
    bad = cli("-e", "SELECT 1 AS a;")
    assert bad.returncode == 2 and bad.stderr.startswith("error: config file ") and "Traceback" not in bad.stderr
