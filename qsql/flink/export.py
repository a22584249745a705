"""``qsql export --to flink``: print the Flink 2.3 form of scripts; findings go to stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO

from .translate import TranslateOptions, translate


def export(
    scripts: Sequence[tuple[str, str]],
    *,
    inline_secrets: bool,
    strict: bool,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    key_env: Mapping[str, str] | None = None,
) -> None:
    """Write each script's Flink form to stdout and each finding as a warning on stderr.

    Every script is translated before anything is printed, so --strict prints nothing when any
    finding refuses it (a QsqlError propagates to the caller)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    options = TranslateOptions(
        secrets="inline" if inline_secrets else "placeholder",
        strict=strict,
        env=dict(os.environ),
        key_env=dict(key_env or {}),
    )
    translations = [(name, translate(text, name, options)) for name, text in scripts]
    for index, (name, translation) in enumerate(translations):
        if index:
            stdout.write("\n")
        stdout.write(f"-- Flink 2.3 SQL, exported by qsql from {name}\n")
        stdout.write(translation.script if translation.script.endswith("\n") else translation.script + "\n")
        for finding in translation.findings:
            stderr.write(f"warning: {finding.render()}\n")
    stdout.flush()
