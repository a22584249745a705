"""Long results through a pager, as psql and pgcli do: ``$PAGER``, else ``less -SRXF``
(-S: wide rows scroll sideways instead of wrapping; -F: no pager when it fits one screen)."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping

DEFAULT_PAGER = "less -SRXF"


def pager_command(setting: str, env: Mapping[str, str]) -> list[str] | None:
    """The command the 'qsql.shell.pager' setting asks for: 'on' ($PAGER or less), 'off', or a
    command of its own. None: no pager."""
    value = setting.strip()
    if value.lower() in ("off", "false", "0", "no", ""):
        return None
    if value.lower() in ("on", "true", "1", "yes"):
        value = env.get("PAGER", DEFAULT_PAGER)
        if not value.strip():
            return None  # PAGER='' turns paging off, as in git
    try:
        return shlex.split(value)
    except ValueError:
        return None


def run_pager(command: list[str], text: str) -> bool:
    """Show ``text`` in the pager; False when it cannot be started (the caller prints it)."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, encoding="utf-8", errors="replace")
    except OSError:
        return False
    try:
        assert process.stdin is not None
        process.stdin.write(text)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the user left the pager before reading everything
    except KeyboardInterrupt:
        pass
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:
            continue  # Ctrl-C belongs to the pager (less ignores it); wait for it to end
