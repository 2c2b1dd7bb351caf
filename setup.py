"""Build hook: the wheel carries the default themes file and the theme labeller's background corpus (with its
prepared tokens).

Both live outside the packages in the repository (``configs/themes/``, ``data/``), where the configs and
``make report`` use them; ``build_py`` copies them into ``topics/_shipped/`` of the built package, where
:mod:`topics.config` finds them when the repository is not there (an installed wheel). Everything else is in
pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: repository file -> path inside the built ``topics`` package
SHIPPED = {
    ROOT / "configs" / "themes" / "ml.yaml": Path("_shipped") / "themes" / "ml.yaml",
    ROOT / "data" / "ml-abstracts-sample.parquet": Path("_shipped") / "ml-abstracts-sample.parquet",
    ROOT / "data" / "ml-abstracts-sample.tokens.npz": Path("_shipped") / "ml-abstracts-sample.tokens.npz",
}


class BuildWithShippedData(build_py):
    """``build_py`` that also copies the :data:`SHIPPED` files into ``topics/_shipped/`` of the build."""

    def run(self) -> None:
        """Build the packages as usual, then copy each shipped file to its place in the built package."""
        super().run()
        for source, target in SHIPPED.items():
            destination = Path(self.build_lib) / "topics" / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithShippedData})
