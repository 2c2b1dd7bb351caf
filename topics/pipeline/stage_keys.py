"""The key of every cached stage, in one place: what each stage's result depends on.

A key is :func:`topics.pipeline.stage_cache.stage_key` of the stage's inputs; a change in any of them recomputes
the stage. The corpus depends on the input files (size and modification time) and the ``inputs`` settings; the
models on the tokens, ids, preprocessing, the profile's generic terms, model and map settings, seed, engine and
library versions; the themes on the models' key, the themes file's bytes, the theme settings, the background
corpus file, the seed, the calibration, learner and scorers, and the tokenizer. Every key also holds
:func:`code_fingerprint`, so an entry written by other code (another version, a development checkout, an edited
install) is never read back as this code's result.
"""

from __future__ import annotations

import functools
import hashlib
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import preprocessing
import topics
from preprocessing.nlp import Tokenizer
from topics.config import RunConfig, config_to_dict
from topics.pipeline.stage_cache import file_signature, stage_key
from topics.themes.definitions import run_profile
from topics.themes.learner import PSEUDO_LABEL_RULES, SOLVER, SeededThemeClassifier
from topics.themes.scoring import CALIBRATION, SCORERS

if TYPE_CHECKING:
    from topics.pipeline.model_stages import CorpusTokens, FittedModels

#: Packages whose versions go into manifest.json.
RECORDED_PACKAGES = (
    "spacy",
    "spacy-lookups-data",
    "gensim",
    "scikit-learn",
    "openTSNE",
    "numpy",
    "scipy",
    "statsmodels",
    "pandas",
    "pyarrow",
    "plotly",
    "pydantic",
)


def library_versions() -> dict[str, str]:
    """The versions of Python, this package and the :data:`RECORDED_PACKAGES` ("absent" when not installed)."""
    versions = {"python": platform.python_version(), "research-topics": topics.__version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def source_fingerprint(roots: Sequence[Path]) -> str:
    """SHA-1 of the Python source under each folder of ``roots``: every ``.py`` file's path (within its root, after
    the root's name) and bytes, in path order."""
    digest = hashlib.sha1()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """:func:`source_fingerprint` of the packages that compute the cached stages (``preprocessing`` and
    ``topics``, about 1 MB), read once a process."""
    return source_fingerprint([Path(str(package.__file__)).resolve().parent for package in (preprocessing, topics)])


def corpus_key(config: RunConfig) -> str:
    """The read corpus: the input files' signatures and the ``inputs`` settings."""
    return stage_key([
        "corpus", topics.__version__, code_fingerprint(), config_to_dict(config)["inputs"],
        [file_signature(spec.path) for spec in config.inputs],
    ])


def models_key(config: RunConfig, tokens: CorpusTokens, ids: Sequence[str], warm_source: Path | None = None) -> str:
    """What the model stages depend on: the tokens, the ids, the preprocessing/models/map settings, the seed,
    the versions of the libraries that fit and the file of the earlier fit they start from (``warm_source``)."""
    settings = config_to_dict(config)
    return stage_key([
        file_signature(warm_source) if warm_source is not None else None,
        "models", topics.__version__, code_fingerprint(), library_versions(), tokens.texts.codes, tokens.texts.offsets,
        "\n".join(tokens.texts.words),
        list(ids), settings["preprocessing"], run_profile(config).generic_terms, settings["models"],
        settings["report"]["map"], config.seed,
        settings["engine"], settings["spark"] if config.engine == "spark" else None,
    ])


def _scorers_fingerprint() -> list[Any]:
    """The shipped term scorers as a list that is the same in every process (a frozenset's repr is not: its
    order follows string hashes, which change from run to run)."""
    return sorted(
        (sorted(kinds), sorted(scorer.coefficients.items()), scorer.intercept) for kinds, scorer in SCORERS.items()
    )


def themes_key(config: RunConfig, fitted: FittedModels, definitions: bytes, tokenizer: Tokenizer) -> str:
    """The themes stage: the models' key, the themes file's bytes (``definitions``), the theme settings, the
    background corpus file, the seed, the calibration, learner and scorers, and the tokenizer's fingerprints."""
    background = config.themes.background
    return stage_key([
        "themes", topics.__version__, code_fingerprint(), fitted.key, definitions, config_to_dict(config)["themes"],
        file_signature(background) if background is not None else None, config.seed,
        repr(CALIBRATION), sorted(SeededThemeClassifier().get_params().items()), PSEUDO_LABEL_RULES,
        sorted(SOLVER.items()), _scorers_fingerprint(),
        tokenizer.settings.fingerprint(), tokenizer.theme_fingerprint(),
    ])
