"""Reading a config file and its ``--set`` overrides, and describing validation errors.

The YAML and override side of :mod:`topics.config`, which re-exports every public name here; these helpers know
nothing of the schema (:class:`topics.config.RunConfig`), so this module imports nothing of ``topics``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from preprocessing.errors import UserError


class ConfigError(UserError):
    """A config problem; the message names the file, the key path, the value and what is allowed."""


def _key_path(location: tuple[Any, ...]) -> str:
    return " -> ".join(str(part) for part in location) or "(top level)"


def describe_validation_error(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as ``"key -> path: message (got value)"``."""
    path = _key_path(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{path}'; remove it or check its spelling"
    received = error.get("input")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return f"{path}: {message} (got {received!r})"


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``"models.lda.num_topics=30"`` into ``(["models", "lda", "num_topics"], 30)``; the value is YAML."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. --set models.lda.num_topics=30")
    key, _, raw = text.partition("=")
    parts = [p for p in key.strip().split(".") if p]
    if not parts:
        raise ConfigError(f"--set {text!r}: the key is empty; expected e.g. models.lda.num_topics=30")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return parts, value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of ``data`` with every ``KEY=VALUE`` override set (nested keys are created)."""
    result: dict[str, Any] = _deep_copy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                where = ".".join(parts[: depth + 1])
                raise ConfigError(f"--set {text!r}: '{where}' is a value, not a section")
            node = child
        node[parts[-1]] = value
    return result


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def read_yaml(path: Path) -> Any:
    """Read a YAML file; raise :class:`ConfigError` with the file, line and column of a syntax error."""
    if not path.exists():
        raise ConfigError(f"{path}: config file not found (check the path)")
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; expected a YAML config file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start}); re-save it as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}{where}: invalid YAML: {problem} (fix the syntax at that line)") from None
