"""Qwen-MT, per-provider and per-model value ranges at CREATE MODEL, embedding rules, token counting."""

from __future__ import annotations

import pytest

from qsql.errors import OptionError
from qsql.models import tokens
from qsql.stub import StubServer

from .conftest import SqlRunner

VIEW = "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, '你好，世界'), (2, 'good morning');"
PREDICT = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"


def model(name: str, options: str = "", provider: str = "qwen", outputs: str = "content STRING") -> str:
    endpoint = {
        "openai": ", 'endpoint' = 'https://api.openai.com/v1'",
        "deepseek": ", 'endpoint' = 'https://api.deepseek.com/v1'",
    }
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = '{provider}', 'model' = '{name}'{endpoint.get(provider, '')}{options});"
    )


# ---------------------------------------------------------------------------- Qwen-MT
@pytest.mark.parametrize("name", ["qwen-mt-plus", "qwen-mt-turbo", "qwen-mt-flash"])
def test_qwen_mt_sends_no_system_message_and_translation_options(
    stub_sql: SqlRunner, stub: StubServer, name: str
) -> None:
    stub_sql(model(name, ", 'target-lang' = 'English'") + VIEW)
    rows = stub_sql.query(PREDICT)[1]
    assert rows[0][2] == "[stub] [auto->English] 你好，世界"
    body = stub.stats.bodies[-1]
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert body["translation_options"] == {"source_lang": "auto", "target_lang": "English"}
    assert "enable_thinking" not in body and "stream" not in body


def test_qwen_mt_source_lang(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("qwen-mt-plus", ", 'target-lang' = 'English', 'source-lang' = 'Chinese'") + VIEW)
    assert stub_sql.query(PREDICT)[1][0][2] == "[stub] [Chinese->English] 你好，世界"


def test_only_qwen_mt_flash_may_be_streamed(stub_sql: SqlRunner, stub: StubServer) -> None:
    """qwen-mt-flash streams in increments; the other Qwen-MT models send the whole text so far in
    each chunk (the stub does too), which joined would repeat it, so qsql does not stream them."""
    import httpx

    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-mt-plus", ", 'target-lang' = 'English', 'stream' = 'true'"))
    assert "does not stream incrementally" in info.value.message and "qwen-mt-flash" in (info.value.hint or "")
    stub_sql(model("qwen-mt-flash", ", 'target-lang' = 'English', 'stream' = 'true'") + VIEW)
    assert stub_sql.query(PREDICT)[1][0][2] == "[stub] [auto->English] 你好，世界"
    assert stub.stats.bodies[-1]["stream"] is True
    body = {
        "model": "qwen-mt-turbo",
        "stream": True,
        "translation_options": {"target_lang": "English"},
        "messages": [{"role": "user", "content": "one two three four five"}],
    }
    events = httpx.post(stub.base_url + "/chat/completions", json=body).text.splitlines()
    pieces = [e for e in events if '"content": "[stub]' in e]
    assert len(pieces) > 1 and all(p.count("[stub]") == 1 for p in pieces)  # each the text so far


def test_qwen_mt_needs_a_target_language(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-mt-plus"))
    assert "needs option 'target-lang'" in info.value.message


def test_qwen_mt_refuses_a_system_prompt_at_create_model(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-mt-plus", ", 'target-lang' = 'English', 'system-prompt' = 'Translate.'"))
    assert "takes no system message" in info.value.message


def test_target_lang_is_for_qwen_mt_only(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-plus", ", 'target-lang' = 'English'"))
    assert "Qwen-MT translation models" in info.value.message


def test_the_stub_refuses_a_system_message_to_qwen_mt_as_compatible_mode_does(stub: StubServer) -> None:
    import httpx

    body = {
        "model": "qwen-mt-plus",
        "translation_options": {"target_lang": "English"},
        "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "你好"}],
    }
    reply = httpx.post(stub.base_url + "/chat/completions", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid_parameter_error"
    assert reply.json()["error"]["message"] == "Role must be in [user, assistant]."


# ---------------------------------------------------------------------------- ranges
@pytest.mark.parametrize(
    "provider, name, options, fragment",
    [
        ("qwen", "qwen-plus", "'n' = '5'", "option 'n' must be in [1, 4]"),
        ("qwen", "qwen-max", "'n' = '2'", "'n' > 1 is not supported"),
        ("qwen", "qwen-plus", "'seed' = '2147483648'", "option 'seed' must be in [0, 2147483647]"),
        ("qwen", "qwen-plus", "'seed' = '-1'", "option 'seed' must be in [0, 2147483647]"),
        ("qwen", "qwen-plus", "'temperature' = '2'", "must be in [0, 2)"),
        ("qwen", "qwen-plus", "'top-p' = '0'", "must be in (0, 1]"),
        ("qwen", "qwen-plus", "'presence-penalty' = '2.5'", "must be in [-2, 2]"),
        ("openai", "gpt-4o-mini", "'temperature' = '2.1'", "must be in [0, 2]"),
        ("openai", "gpt-4o-mini", "'n' = '129'", "must be in [1, 128]"),
        ("openai", "gpt-4o-mini", "'stop' = 'a,b,c,d,e'", "at most 4 items"),
        ("deepseek", "deepseek-chat", "'temperature' = '2.5'", "must be in [0, 2]"),
    ],
)
def test_ranges_per_provider_and_model(
    stub_sql: SqlRunner, provider: str, name: str, options: str, fragment: str
) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model(name, ", " + options, provider))
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "provider, name, options",
    [
        ("qwen", "qwen-plus", "'n' = '4', 'seed' = '2147483647', 'temperature' = '1.99', 'top-p' = '1'"),
        ("openai", "gpt-4o-mini", "'temperature' = '2', 'top-p' = '0', 'n' = '5', 'stop' = 'a,b,c,d'"),
        ("deepseek", "deepseek-chat", "'temperature' = '2'"),
    ],
)
def test_edges_of_each_range_are_accepted_and_the_stub_agrees(
    stub_sql: SqlRunner, provider: str, name: str, options: str
) -> None:
    stub_sql(model(name, ", " + options, provider) + VIEW)
    rows = stub_sql.query(PREDICT)[1]
    assert rows and all(r[2].startswith("[stub") for r in rows)


# ---------------------------------------------------------------------------- embeddings
def embedding(name: str, options: str = "", provider: str = "qwen") -> str:
    return model(name, options, provider, outputs="v ARRAY<FLOAT>")


@pytest.mark.parametrize(
    "name, good, bad",
    [
        ("text-embedding-v4", 2048, 4096),
        ("text-embedding-v3", 768, 1536),
        ("text-embedding-v2", 1536, 1024),
        ("text-embedding-v1", 1536, 64),
    ],
)
def test_embedding_dimension_per_model(stub_sql: SqlRunner, stub: StubServer, name: str, good: int, bad: int) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(embedding(name, f", 'dimension' = '{bad}'"))
    assert f"option 'dimension' for {name} must be one of" in info.value.message
    stub_sql(embedding(name, f", 'dimension' = '{good}'") + VIEW)
    rows = stub_sql.query(PREDICT)[1]
    assert len(rows[0][2]) == good


@pytest.mark.parametrize(
    "name, batch",
    [("text-embedding-v1", 25), ("text-embedding-v2", 25), ("text-embedding-v3", 10), ("text-embedding-v4", 10)],
)
def test_embedding_batch_size_per_model(stub_sql: SqlRunner, stub: StubServer, name: str, batch: int) -> None:
    rows = ", ".join(f"({i}, 'text {i}')" for i in range(30))
    stub_sql(embedding(name) + f"CREATE TEMPORARY VIEW t (id, txt) AS VALUES {rows};")
    assert len(stub_sql.query(PREDICT)[1]) == 30
    assert max(len(b["input"]) for b in stub.stats.bodies) == batch
    with pytest.raises(OptionError) as info:
        stub_sql(embedding(name, f", 'batch-size' = '{batch + 1}'").replace("CREATE", "CREATE OR REPLACE"))
    assert f"must be at most {batch}" in info.value.message


def test_deepseek_has_no_embeddings(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(embedding("deepseek-embed", provider="deepseek"))
    assert "provider 'deepseek' has no embeddings endpoint" in info.value.message


def test_openai_embeddings_batch_by_count_and_tokens(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(embedding("text-embedding-3-small", ", 'dimension' = '16'", "openai"))
    config = stub_sql.session.catalog.find_model("m").config
    assert config.batch_size == 2048 and config.batch_token_limit == 300_000
    with pytest.raises(OptionError):
        stub_sql(
            embedding("text-embedding-ada-002", ", 'dimension' = '16'", "openai").replace("CREATE", "CREATE OR REPLACE")
        )


def test_no_default_cut_of_embedding_inputs(stub_sql: SqlRunner, stub: StubServer) -> None:
    long_text = "word " * 3000  # 15,000 bytes: the old default cut it at 8,192 bytes
    stub_sql(embedding("text-embedding-v4") + f"CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, '{long_text}');")
    run = stub_sql(PREDICT)
    assert stub.stats.bodies[-1]["input"] == [long_text]
    assert run.results[-1].predict[0].truncated == 0 and "cut" not in run.err


def test_an_explicit_limit_says_how_it_cut(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("gpt-4o-mini", ", 'max-context-size' = '5'", "openai") + VIEW)
    run = stub_sql(PREDICT)
    assert "2 inputs cut to 5 UTF-8 bytes, keeping the beginning" in run.err
    assert sorted(b["messages"][-1]["content"] for b in stub.stats.bodies[-2:]) == ["good ", "你"]  # sent concurrently


# ---------------------------------------------------------------------------- tokenizer
def test_bytes_are_the_fallback_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tokens.QWEN_VOCAB_ENV, "/nonexistent/qwen.tiktoken")
    assert tokens.tokenizer_for("qwen", "qwen-plus") is tokens.BYTES
    assert tokens.tokenizer_for("openai", "gpt-4o-mini") is tokens.BYTES
    assert tokens.BYTES.count("你好") == 6 and tokens.BYTES.head("你好", 4) == "你"


def test_a_qwen_tiktoken_file_is_used_when_tiktoken_is_installed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tiktoken")
    import base64

    vocabulary = [bytes([b]) for b in range(256)] + [b"ab", b"abab"]
    (tmp_path / "qwen.tiktoken").write_text(
        "\n".join(f"{base64.b64encode(t).decode()} {rank}" for rank, t in enumerate(vocabulary))
    )
    monkeypatch.setenv(tokens.QWEN_VOCAB_ENV, str(tmp_path / "qwen.tiktoken"))
    tokenizer = tokens.tokenizer_for("qwen", "qwen-plus")
    assert tokenizer.name == "Qwen tokens"
    assert tokenizer.count("abababab") == 2 and tokenizer.head("ababab", 1) == "abab"
