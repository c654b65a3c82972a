"""Reading playbook files: the shipped set in ``resources/playbooks/`` or another folder.

Besides one playbook per process, the folder holds ``explanations.yaml``:
every rule id in plain words, in all four languages, so the guided panel can
say *why* a decision was made.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import RootModel, ValidationError

from app.domain.playbook_schema import Localized, Playbook, PlaybookError, load_playbook
from app.resources import resource_path

PROCESSES = ("fair_use", "expiry", "contract", "onboarding", "complaint")
EXPLANATIONS_FILE = "explanations.yaml"


class Explanations(RootModel[dict[str, Localized]]):
    """Rule id -> the rule in plain words."""


_folder: list[Path] = []


def default_playbooks_dir() -> Path:
    """The folder playbooks are read from: the shipped one unless another was chosen."""
    return _folder[0] if _folder else resource_path("playbooks")


def use_playbooks_dir(directory: Path | None) -> None:
    """Read playbooks from ``directory`` from now on (None: the shipped ones again)."""
    _folder.clear()
    if directory is not None:
        _folder.append(Path(directory))
    _shipped.cache_clear()
    _shipped_explanations.cache_clear()


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError(path.name, "", f"file is missing from {path.parent}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(path.name, "", f"cannot be read ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PlaybookError(path.name, where, f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise PlaybookError(path.name, "", f"not valid YAML: {exc}") from None


def read_playbook(path: Path) -> Playbook:
    playbook = load_playbook(path.name, _read_yaml(path))
    expected = path.stem
    if playbook.meta.id != expected:
        raise PlaybookError(path.name, "meta.id", f"is {playbook.meta.id}, expected {expected}")
    return playbook


def read_explanations(path: Path) -> dict[str, Localized]:
    data = _read_yaml(path)
    try:
        return Explanations.model_validate(data or {}).root
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function"))
        message = str(error["msg"]).removeprefix("Value error, ")
        raise PlaybookError(path.name, key, message) from None


def check_folder(directory: Path) -> list[str]:
    """Every problem of the playbook files in ``directory``, one line each."""
    problems: list[str] = []
    for process in PROCESSES:
        try:
            read_playbook(directory / f"{process}.yaml")
        except PlaybookError as exc:
            problems.append(str(exc))
    try:
        read_explanations(directory / EXPLANATIONS_FILE)
    except PlaybookError as exc:
        problems.append(str(exc))
    return problems


@cache
def _shipped(process: str) -> Playbook:
    return read_playbook(default_playbooks_dir() / f"{process}.yaml")


@cache
def _shipped_explanations() -> dict[str, Localized]:
    return read_explanations(default_playbooks_dir() / EXPLANATIONS_FILE)


def playbook_for(process: str) -> Playbook:
    """The shipped playbook of ``process`` (validated once, then cached)."""
    if process not in PROCESSES:
        raise KeyError(process)
    return _shipped(process)


def explain(rule_id: str, language: str) -> str:
    """A rule id in plain words (the id itself when no explanation exists)."""
    text = _shipped_explanations().get(rule_id)
    return text.get(language) if text else rule_id
