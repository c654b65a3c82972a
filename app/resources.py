"""Where the shipped, read-only data lives: rule tables, playbooks, letters, fonts.

One helper for every way the app runs: from a source checkout (editable
install) and from the PyInstaller build, where data files sit under
``sys._MEIPASS``. Nothing is ever looked up relative to the working folder.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def project_root() -> Path:
    """The folder that holds ``resources/`` and ``translations/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a file or folder below ``resources/``."""
    return project_root().joinpath("resources", *parts)


def translations_path() -> Path:
    """The gettext catalog folder (``translations/<lang>/LC_MESSAGES``)."""
    return project_root() / "translations"
