"""Stored API keys (qsql keys) and the lookup order: option, environment variable, stored key."""

from __future__ import annotations

import io
import stat
import sys

import pytest

from qsql.config import Config
from qsql.errors import OptionError
from qsql.keys import KeyStore, keys_command, keys_path
from qsql.session import Session

MODEL = "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus'{extra});"


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSQL_NO_KEYRING", "1")  # never the developer's real keyring


def test_set_list_remove_and_the_file_is_private(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("sk-secret-1\n"))
    assert keys_command("set", "qwen") == 0
    path = keys_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "sk-secret-1" not in capsys.readouterr().out
    assert KeyStore().get("qwen") == "sk-secret-1"
    assert keys_command("list", None) == 0
    assert capsys.readouterr().out == "qwen\n"  # names only
    assert keys_command("remove", "qwen") == 0
    assert KeyStore().get("qwen") is None
    assert keys_command("remove", "qwen") == 1
    assert "no key stored for qwen" in capsys.readouterr().err


def test_unknown_provider_and_empty_key_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert keys_command("set", "gemini") == 2
    assert "unknown provider 'gemini'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert keys_command("set", "openai") == 1
    assert not keys_path().exists()


def test_lookup_order_option_then_environment_then_stored() -> None:
    KeyStore().set("qwen", "sk-stored")
    with Session(env={"DASHSCOPE_API_KEY": "sk-env"}) as session:
        list(session.execute(MODEL.format(extra=", 'api-key' = 'sk-option'")))
        assert session.catalog.find_model("m").config.api_key.reveal() == "sk-option"
    with Session(env={"DASHSCOPE_API_KEY": "sk-env"}) as session:
        list(session.execute(MODEL.format(extra="")))
        assert session.catalog.find_model("m").config.api_key.reveal() == "sk-env"
    with Session(env={}) as session:
        list(session.execute(MODEL.format(extra="")))
        assert session.catalog.find_model("m").config.api_key.reveal() == "sk-stored"


def test_config_names_the_environment_variable() -> None:
    with Session(env={"MY_QWEN": "sk-mine"}) as session:
        session.apply_config(Config(key_env={"qwen": "MY_QWEN"}))
        list(session.execute(MODEL.format(extra="")))
        assert session.catalog.find_model("m").config.api_key.reveal() == "sk-mine"


def test_a_missing_key_names_all_three_ways_and_the_stub() -> None:
    with Session(env={}) as session, pytest.raises(OptionError) as caught:
        list(session.execute(MODEL.format(extra="")))
    error = caught.value
    assert "option 'api-key'" in error.message and "DASHSCOPE_API_KEY" in error.message
    assert "qsql keys set qwen" in error.message and "--stub" in (error.hint or "")
