"""Ship the top-level grammar/, stdlib_domains/ and docs/ folders inside the wheel.

They live at the top of the repository (the layout the project agreed on), so
the build copies them into scaleenv_dsl/_data/, where scaleenv_dsl.resources
finds them after a plain `pip install`.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED_FOLDERS = ("grammar", "stdlib_domains", "docs")


class BuildWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "scaleenv_dsl" / "_data"
        for folder in SHIPPED_FOLDERS:
            shutil.copytree(folder, target / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithData})
