"""requirements.lock pins what the application ships and is tested with.

The README's set-up commands and .ci/run install with it as constraints, so a
fresh clone gets the versions the suite passed on, not whatever a registry
serves that day (babel 2.19 changed CLDR wording under a floating ``>=2.14``).
``pyproject.toml`` keeps the ranges; ``bash .ci/lock`` refreshes the pins.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)(\s*;\s*(?P<marker>.+))?$"
)

#: What ``python -m venv`` puts into every environment by itself (locked only for the
#: build extra, which needs setuptools).
VENV_OWN = {"pip", "setuptools", "wheel"}


def _pins() -> dict[str, tuple[str, str | None]]:
    pins: dict[str, tuple[str, str | None]] = {}
    for number, line in enumerate(LOCK.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"requirements.lock:{number}: not an exact pin: {line!r}"
        name = canonicalize_name(match["name"])
        assert name not in pins, f"requirements.lock:{number}: {name} pinned twice"
        pins[name] = (match["version"], match["marker"])
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        names += extra
    return [Requirement(text) for text in names]


def test_every_dependency_of_every_extra_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run bash .ci/lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside pyproject.toml's {requirement}"
        )


def test_the_installed_versions_are_the_locked_ones() -> None:
    """The suite runs on exactly what a fresh install gets."""
    wrong = []
    for name, (version, _marker) in _pins().items():
        if name in VENV_OWN:
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # another extra (build) or another platform's package
        if installed != version:
            wrong.append(f"{name} {installed} installed, {version} locked")
    assert not wrong, "; ".join(wrong) + " (reinstall with the README's command)"


def test_both_set_up_commands_and_ci_install_with_the_lock() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    installs = re.findall(r"pip install [^`\n]*", setup)
    assert len(installs) == 2
    assert all("-c requirements.lock" in command for command in installs), installs
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert all("-c requirements.lock" in line for line in ci.splitlines() if "pip install" in line)
