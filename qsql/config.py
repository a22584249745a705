"""The user's config file, ``~/.config/qsql/config.toml`` (the platform's user config dir):
defaults for settings the user would otherwise SET in every session (qsql extension).

    format = "table"            # qsql.output.format
    pager = "less -SRXF"        # qsql.shell.pager: "on", "off" or a command
    editing-mode = "vi"         # qsql.shell.editing-mode
    cache = "disk"              # qsql.cache
    log = "meta"                # qsql.log
    expanded = false            # qsql.output.expanded
    timing = true               # qsql.shell.timing

    [settings]                  # any SET key, e.g.
    "table.exec.async-ml-predict.max-concurrent-operations" = "32"

    [keys]                      # where each provider's key comes from (environment variable names)
    qwen = "MY_DASHSCOPE_KEY"

    [prices."qwen-plus"]        # USD per million tokens, overriding qsql's price table
    input = 0.4
    output = 1.2

A SET in the session still wins: the file only gives the starting values.
"""

from __future__ import annotations

import os
from dataclasses import field
from pathlib import Path

from .errors import UsageError
from .lazydataclass import lazy_dataclass
from .settings import CACHE, EDITING_MODE, LOG, OUTPUT_EXPANDED, OUTPUT_FORMAT, PAGER, TIMING, check_setting

# Short names in the file -> the setting each stands for.
SHORT_NAMES = {
    "format": OUTPUT_FORMAT.key,
    "pager": PAGER.key,
    "editing-mode": EDITING_MODE.key,
    "cache": CACHE.key,
    "log": LOG.key,
    "expanded": OUTPUT_EXPANDED.key,
    "timing": TIMING.key,
}


class ConfigError(UsageError):
    """The config file cannot be read or has a bad value."""


@lazy_dataclass
class Config:
    path: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)
    key_env: dict[str, str] = field(default_factory=dict)  # provider -> environment variable name
    prices: dict[str, dict[str, float]] = field(default_factory=dict)


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("qsql"))


def config_path() -> Path:
    override = os.environ.get("QSQL_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: the user's); an absent file is an empty config."""
    path = path or config_path()
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    import tomllib  # here: most runs have no config file to read

    try:
        with handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path}: {error}") from error
    config = Config(path=path)
    for key, value in data.items():
        if key in SHORT_NAMES:
            config.settings[SHORT_NAMES[key]] = _text(value)
        elif key == "settings" and isinstance(value, dict):
            config.settings.update({str(k): _text(v) for k, v in value.items()})
        elif key == "keys" and isinstance(value, dict):
            config.key_env = {str(k): str(v) for k, v in value.items()}
        elif key == "prices" and isinstance(value, dict):
            config.prices = _prices(value, path)
        else:
            known = ", ".join([*SHORT_NAMES, "settings", "keys", "prices"])
            raise ConfigError(f"config file {path}: unknown key '{key}' (known: {known})")
    for key, value in config.settings.items():
        try:
            check_setting(key, value, None)
        except UsageError:
            raise
        except Exception as error:  # a ValidationError: say which file it came from
            message = getattr(error, "message", str(error))
            raise ConfigError(f"config file {path}: {message}") from error
    return config


def _prices(table: dict, path: Path) -> dict[str, dict[str, float]]:
    prices: dict[str, dict[str, float]] = {}
    for model, entry in table.items():
        if (
            not isinstance(entry, dict)
            or not entry
            or not all(k in ("input", "output") and isinstance(v, (int, float)) and v >= 0 for k, v in entry.items())
        ):
            raise ConfigError(
                f"config file {path}: prices.\"{model}\" must set 'input' and/or 'output' to a number "
                "(USD per million tokens)"
            )
        prices[str(model)] = {k: float(v) for k, v in entry.items()}
    return prices
