"""API keys stored for the user (``qsql keys set|list|remove``; qsql extension).

Keys live in ``keys.json`` in the user config directory, readable only by the user (0600),
or in the OS keyring when the ``keyring`` package is already installed (qsql does not pull it
in). A model's key is looked up in this order: its 'api-key' option, the provider's
environment variable (or the one the config file names), then the stored key.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from .models.providers import PROVIDERS

KEYRING_SERVICE = "qsql"


def keys_path() -> Path:
    from .config import config_dir

    return config_dir() / "keys.json"


def _keyring() -> Any:  # the keyring module (untyped, optional) or None
    """The keyring module when it is installed and has a usable backend, else None."""
    if os.environ.get("QSQL_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:
        return None
    try:
        if isinstance(keyring.get_keyring(), fail.Keyring):
            return None
    except Exception:
        return None
    return keyring


class KeyStore:
    """Provider name -> key, in a 0600 JSON file (and the keyring, when there is one)."""

    def __init__(self, path: Path | None = None, use_keyring: bool = True) -> None:
        self.path = path or keys_path()
        self._keyring = _keyring() if use_keyring else None

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, keys: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        # Created 0600 from the start: the key is never readable by others, not even briefly.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(keys, handle, indent=1, sort_keys=True)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def get(self, name: str) -> str | None:
        if self._keyring is not None:
            try:
                value = self._keyring.get_password(KEYRING_SERVICE, name)
            except Exception:
                value = None
            if value:
                return value
        return self._read().get(name)

    def names(self) -> list[str]:
        names = set(self._read())
        if self._keyring is not None:
            for name in PROVIDERS:
                try:
                    if self._keyring.get_password(KEYRING_SERVICE, name):
                        names.add(name)
                except Exception:
                    pass
        return sorted(names)

    def set(self, name: str, key: str) -> str:
        """Store ``key``; says where."""
        if self._keyring is not None:
            try:
                self._keyring.set_password(KEYRING_SERVICE, name, key)
                return "the OS keyring"
            except Exception:
                pass
        keys = self._read()
        keys[name] = key
        self._write(keys)
        return str(self.path)

    def remove(self, name: str) -> bool:
        removed = False
        if self._keyring is not None:
            try:
                if self._keyring.get_password(KEYRING_SERVICE, name):
                    self._keyring.delete_password(KEYRING_SERVICE, name)
                    removed = True
            except Exception:
                pass
        keys = self._read()
        if name in keys:
            del keys[name]
            self._write(keys)
            removed = True
        return removed


def stored_key(provider: str) -> str | None:
    """The stored key of a provider, or None (never raises: a broken store is no key)."""
    try:
        return KeyStore().get(provider)
    except Exception:
        return None


def keys_command(action: str, name: str | None) -> int:
    """``qsql keys set|list|remove|path [NAME]``."""
    store = KeyStore()
    if action == "list":
        for stored in store.names():
            sys.stdout.write(stored + "\n")
        return 0
    if action == "path":
        sys.stdout.write(f"{store.path}\n")
        return 0
    if not name:
        sys.stderr.write(f"qsql keys {action}: give a provider name: {', '.join(sorted(PROVIDERS))}\n")
        return 2
    if name not in PROVIDERS:
        sys.stderr.write(f"qsql keys {action}: unknown provider '{name}'; known: {', '.join(sorted(PROVIDERS))}\n")
        return 2
    if action == "remove":
        if store.remove(name):
            sys.stdout.write(f"removed the stored key of {name}\n")
            return 0
        sys.stderr.write(f"qsql keys remove: no key stored for {name}\n")
        return 1
    if sys.stdin.isatty():
        key = getpass.getpass(f"API key for {name} (input is hidden): ")
    else:
        key = sys.stdin.readline()
    key = key.strip()
    if not key:
        sys.stderr.write("qsql keys set: no key given; nothing stored\n")
        return 1
    where = store.set(name, key)
    sys.stdout.write(f"stored the key of {name} in {where}\n")
    return 0
