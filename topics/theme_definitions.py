"""Loading theme definitions from a themes file (``configs/themes/*.yaml``)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from topics.config import ConfigError, read_yaml
from topics.results import ThemeDefinition

_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _ThemeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    short: str = ""
    description: str = ""
    seeds: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    against: list[str] = Field(default_factory=list)
    threshold: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold_is_a_number(cls, value: object) -> object:
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise ValueError("a theme's threshold is a score from 0 to 1, like themes.threshold")
        return value

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError("a theme id is lowercase words joined by '-', e.g. 'reinforcement-learning'")
        return value


class _ThemesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    themes: list[_ThemeSpec] = Field(min_length=1)


def load_theme_definitions(path: Path) -> tuple[ThemeDefinition, ...]:
    """Read and validate a themes file; errors name the file and the key path (``themes -> 2 -> seeds``).

    A theme's optional ``threshold`` (a score in [0, 1]) is its own assignment threshold, in place of
    ``themes.threshold``; absent, it is ``None``."""
    data = read_yaml(Path(path))
    try:
        parsed = _ThemesFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = " -> ".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{path}: unknown key '{where}'; allowed: {', '.join(_ThemeSpec.model_fields)}") from None
        raise ConfigError(f"{path}: {where}: {first['msg']} (got {first.get('input')!r})") from None
    seen: set[str] = set()
    for index, spec in enumerate(parsed.themes):
        if spec.id in seen:
            raise ConfigError(f"{path}: themes -> {index} -> id: theme id {spec.id!r} appears twice; theme ids must be unique")
        seen.add(spec.id)
    return tuple(
        ThemeDefinition(
            id=s.id, label=s.label, short=s.short, description=s.description,
            seeds=tuple(s.seeds), related=tuple(s.related), exclude=tuple(s.exclude), threshold=s.threshold,
            against=tuple(s.against),
        )
        for s in parsed.themes
    )
