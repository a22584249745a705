"""Files only the user may read: shell history and the reply cache hold SQL and model
replies, and a history line may hold what a user typed before masking could know better."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_file(path: Path) -> Path:
    """Create ``path`` (and missing parent directories, 0700) as an empty 0600 file, or
    tighten an existing one to 0600 — it is qsql's own file, nobody else's business."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    return path
