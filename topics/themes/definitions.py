"""Loading theme definitions from a themes file (``configs/themes/*.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from topics.config import ConfigError, RunConfig, read_yaml
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


class _ProfileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stop_words: list[str] = Field(default_factory=list)
    generic_terms: list[str] = Field(default_factory=list)


class _ThemesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: _ProfileSpec = _ProfileSpec()
    themes: list[_ThemeSpec] = Field(min_length=1)


@dataclass(frozen=True)
class DomainProfile:
    """The vocabulary of a themes file's domain: ``stop_words`` (dropped at tokenisation) and ``generic_terms``
    (kept for phrases and themes, left out of the models' vocabulary), lowercase, in file order."""

    stop_words: tuple[str, ...] = ()
    generic_terms: tuple[str, ...] = ()


def _parse(path: Path) -> _ThemesFile:
    data = read_yaml(Path(path))
    try:
        return _ThemesFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = " -> ".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            allowed = _ProfileSpec.model_fields if first["loc"][0] == "profile" else _ThemeSpec.model_fields
            if len(first["loc"]) == 1:
                allowed = _ThemesFile.model_fields
            raise ConfigError(f"{path}: unknown key '{where}'; allowed: {', '.join(allowed)}") from None
        raise ConfigError(f"{path}: {where}: {first['msg']} (got {first.get('input')!r})") from None


def load_domain_profile(path: Path) -> DomainProfile:
    """The ``profile`` of a themes file (empty lists when it has none); errors name the file and key path."""
    profile = _parse(path).profile
    return DomainProfile(
        stop_words=tuple(w.strip().lower() for w in profile.stop_words if w.strip()),
        generic_terms=tuple(w.strip().lower() for w in profile.generic_terms if w.strip()),
    )


def load_theme_definitions(path: Path) -> tuple[ThemeDefinition, ...]:
    """Read and validate a themes file; errors name the file and the key path (``themes -> 2 -> seeds``).

    A theme's optional ``threshold`` (a score in [0, 1]) is its own assignment threshold, in place of
    ``themes.threshold``; absent, it is ``None``."""
    parsed = _parse(path)
    seen: set[str] = set()
    for index, spec in enumerate(parsed.themes):
        if spec.id in seen:
            raise ConfigError(
                f"{path}: themes -> {index} -> id: theme id {spec.id!r} appears twice; theme ids must be unique"
            )
        seen.add(spec.id)
    return tuple(
        ThemeDefinition(
            id=s.id, label=s.label, short=s.short, description=s.description,
            seeds=tuple(s.seeds), related=tuple(s.related), exclude=tuple(s.exclude), threshold=s.threshold,
            against=tuple(s.against),
        )
        for s in parsed.themes
    )


def run_profile(config: RunConfig) -> DomainProfile:
    """The run's domain vocabulary: the profile of ``themes.file``, each list replaced by
    ``preprocessing.domain_stop_words`` / ``generic_terms`` when the config sets it."""
    pre = config.preprocessing
    profile = DomainProfile()
    if pre.domain_stop_words is None or pre.generic_terms is None:
        profile = _cached_profile(*_file_identity(Path(config.themes.file)))
    return DomainProfile(
        stop_words=profile.stop_words if pre.domain_stop_words is None else tuple(pre.domain_stop_words),
        generic_terms=profile.generic_terms if pre.generic_terms is None else tuple(pre.generic_terms),
    )


def _file_identity(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1  # read_yaml names the missing file
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _cached_profile(path: str, mtime_ns: int, size: int) -> DomainProfile:
    return load_domain_profile(Path(path))
