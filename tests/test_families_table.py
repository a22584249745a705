"""Every documented model family runs the seed's pipeline through the strict stub.

One table: (provider, model, extra options) -> what qsql must send (fields present with these
values, fields absent) and what comes out. The stub refuses what the documented service
refuses (qsql/stub/rules.py), so a regression against a documented rule fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from qsql.stub import StubServer

from .conftest import SqlRunner

SEED = (Path(__file__).parent.parent / "samples" / "desensitize.sql").read_text(encoding="utf-8")
ABSENT = object()

MASKING_PROMPT = "Please desensitize the last four digits of the entered data ID number into*."

# (provider, model, options replacing the seed's system prompt line, expected body fields, output prefix)
CHAT_FAMILIES = [
    ("qwen", "qwen-plus", None, {"stream": ABSENT, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen-turbo", None, {"stream": ABSENT, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen-flash", None, {"stream": ABSENT, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen-max", None, {"stream": ABSENT, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen-plus", "'enable-thinking' = 'true'", {"stream": True, "enable_thinking": True}, "[stub]"),
    (
        "qwen",
        "qwen3-8b",
        None,
        {"stream": True, "enable_thinking": ABSENT, "stream_options": {"include_usage": True}},
        "[stub]",
    ),
    ("qwen", "qwen3-32b", "'enable-thinking' = 'false'", {"stream": ABSENT, "enable_thinking": False}, "[stub]"),
    ("qwen", "qwen3-235b-a22b", None, {"stream": True, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen3-30b-a3b", "'thinking-budget' = '64'", {"stream": True, "thinking_budget": 64}, "[stub]"),
    ("qwen", "qwen3.5-plus", None, {"stream": True, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen3.5-flash", "'enable-thinking' = 'false'", {"stream": ABSENT, "enable_thinking": False}, "[stub]"),
    ("qwen", "qwq-plus", None, {"stream": True, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qvq-max", None, {"stream": True, "enable_thinking": ABSENT}, "[stub]"),
    ("qwen", "qwen3-235b-a22b-instruct-2507", None, {"stream": ABSENT, "enable_thinking": ABSENT}, "[stub]"),
    (
        "qwen",
        "qwen-mt-plus",
        "'target-lang' = 'English'",
        {"translation_options": {"source_lang": "auto", "target_lang": "English"}},
        "[stub] [auto->English]",
    ),
    (
        "qwen",
        "qwen-mt-turbo",
        "'target-lang' = 'English', 'source-lang' = 'Chinese'",
        {"translation_options": {"source_lang": "Chinese", "target_lang": "English"}},
        "[stub] [Chinese->English]",
    ),
    (
        "qwen",
        "qwen-mt-flash",
        "'target-lang' = 'German'",
        {"translation_options": {"source_lang": "auto", "target_lang": "German"}},
        "[stub] [auto->German]",
    ),
    ("openai", "gpt-4o-mini", "'temperature' = '2'", {"temperature": 2.0, "stream": ABSENT}, "[stub]"),
    ("deepseek", "deepseek-chat", None, {"stream": ABSENT}, "[stub]"),
    ("openai", "o3-mini", "'max-tokens' = '50'", {"max_completion_tokens": 50, "max_tokens": ABSENT}, "[stub]"),
]

ENDPOINTS = {
    "qwen": "https://dashscope.aliyuncs.com/compatible-mode/v1",
    "openai": "https://api.openai.com/v1",
    "deepseek": "https://api.deepseek.com/v1",
}


def seed_with(provider: str, model: str, options: str | None) -> str:
    text = SEED.replace("'provider' = 'qwen'", f"'provider' = '{provider}'")
    text = text.replace("https://dashscope.aliyuncs.com/compatible-mode/v1", ENDPOINTS[provider])
    text = text.replace("'model' = 'qwen-plus'", f"'model' = '{model}'")
    prompt_line = f"'system-prompt' = '{MASKING_PROMPT}'"
    if options is not None:
        # Qwen-MT takes no system message: its options replace the prompt; others add to it.
        text = text.replace(prompt_line, options if "target-lang" in options else f"{prompt_line}, {options}")
    return text


@pytest.mark.parametrize(
    "provider, model, options, expected, prefix",
    CHAT_FAMILIES,
    ids=[f"{p}:{m}:{o or ''}" for p, m, o, _, _ in CHAT_FAMILIES],
)
def test_each_chat_family_runs_the_seed_pipeline(
    stub_sql: SqlRunner, stub: StubServer, provider: str, model: str, options: str | None, expected: dict, prefix: str
) -> None:
    run = stub_sql(seed_with(provider, model, options))
    assert run.results[-1].rows == 3
    lines = run.out.strip().splitlines()
    assert len(lines) == 3 and all(f"{prefix} " in line for line in lines)
    assert "[stub reasoning]" not in run.out  # reasoning never leaks into the output column
    bodies = stub.stats.bodies[-3:]
    for body in bodies:
        assert body["model"] == model
        for field, value in expected.items():
            if value is ABSENT:
                assert field not in body, field
            else:
                assert body[field] == value, field
        roles = [m["role"] for m in body["messages"]]
        assert roles == (["user"] if model.startswith("qwen-mt") else ["system", "user"])


EMBEDDING_FAMILIES = [
    ("qwen", "text-embedding-v4", "'dimension' = '2048'", 2048, 10),
    ("qwen", "text-embedding-v4", None, 8, 10),  # the stub's default size when none is asked for
    ("qwen", "text-embedding-v3", "'dimension' = '512'", 512, 10),
    ("qwen", "text-embedding-v2", None, 8, 25),
    ("qwen", "text-embedding-v1", "'dimension' = '1536'", 1536, 25),
    ("openai", "text-embedding-3-small", "'dimension' = '256'", 256, 2048),
]


@pytest.mark.parametrize("provider, model, options, size, batch", EMBEDDING_FAMILIES)
def test_each_embedding_family_embeds_the_seed_rows(
    stub_sql: SqlRunner, stub: StubServer, provider: str, model: str, options: str | None, size: int, batch: int
) -> None:
    rows = ", ".join(f"({i}, 'row number {i}')" for i in range(30)) + ", (30, '')"
    extra = f", {options}" if options else ""
    stub_sql(
        f"CREATE MODEL e INPUT (input STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = '{provider}', "
        f"'endpoint' = '{ENDPOINTS[provider]}', 'model' = '{model}'{extra});"
        f"CREATE TEMPORARY VIEW docs (id, txt) AS VALUES {rows};"
    )
    names, out = stub_sql.query("SELECT id, v FROM ML_PREDICT(TABLE docs, MODEL e, DESCRIPTOR(txt))")
    assert [r[0] for r in out] == list(range(30))  # the empty row is skipped, never sent
    assert all(len(r[1]) == size for r in out)
    sent = [b for b in stub.stats.bodies if b.get("model") == model]
    assert max(len(b["input"]) for b in sent) == min(batch, 30)
    assert all(b["encoding_format"] == "float" for b in sent)
