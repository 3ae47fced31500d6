"""Packaging hook: the wheel carries the tool's own files inside the package.

The templates, strings, theme, fonts, JSON Schemas, ``mkdocs.yml`` and the example school
stay at the top of the repository, where a person looks for them. When a wheel is built,
they are copied into ``transition_booklets/resources/``, where
``transition_booklets.support.resources`` finds them in an installed copy. Everything else
is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: What the wheel carries, by its name in the repository and in ``transition_booklets/resources/``.
RESOURCES = {
    "site_src": "site_src",
    "theme": "theme",
    "schema": "schema",
    "mkdocs.yml": "mkdocs.yml",
    "pupils": "example",
}


class BuildWithResources(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        target = Path(self.build_lib) / "transition_booklets" / "resources"
        for source, name in RESOURCES.items():
            path = ROOT / source
            destination = target / name
            if path.is_dir():
                shutil.copytree(path, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildWithResources})
