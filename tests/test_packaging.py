"""The installed package must carry every subpackage and the grammar, not only the checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "qsql").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml: {sorted(found - listed)}"
    assert config["tool"]["setuptools"]["package-dir"]["qsql.grammar"] == "grammar"
    assert (ROOT / "grammar" / "qsql.lark").is_file()


def test_grammar_loads_through_importlib_resources() -> None:
    from qsql.parser import grammar_text

    assert "ml_predict_call" in grammar_text()
