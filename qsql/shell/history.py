"""Shell history on disk, with API keys masked before anything is stored."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from prompt_toolkit.history import FileHistory

from ..private_files import ensure_private_file
from ..secrets import mask_secrets


def default_history_path() -> Path:
    return Path(user_data_dir("qsql")) / "history"


class MaskedFileHistory(FileHistory):
    """A FileHistory that never records the literal value of an 'api-key' option — neither in
    the file nor in the in-memory list that Up-arrow and Ctrl-R search."""

    def __init__(self, path: Path) -> None:
        ensure_private_file(path)  # 0600: SQL typed at a prompt is nobody else's business
        super().__init__(str(path))

    def append_string(self, string: str) -> None:
        super().append_string(mask_secrets(string))
