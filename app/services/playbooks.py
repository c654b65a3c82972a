"""Reading playbook files: the shipped set in ``resources/playbooks/`` or another folder.

One playbook per process. Each also explains its process's rule ids in plain
words, in all four languages, so the guided panel can say *why* a decision
was made.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from app.domain.playbook_schema import Flow, Localized, Playbook, PlaybookError, load_playbook
from app.resources import resource_path
from app.services.textfile import read_text
from app.services.yamlfile import line_of, load_yaml_with_nodes


def process_names() -> tuple[str, ...]:
    """The registered processes (``app.processes``), in registration order: each has a
    playbook ``<process>.yaml``."""
    from app.processes import processes  # the packages use this module

    return tuple(spec.name for spec in processes())


@cache
def _spec_of() -> Callable[[str], object]:
    """The registry's look-up (imported once: the wording asks for playbooks per row)."""
    from app.processes import spec_of

    return spec_of


def __getattr__(name: str) -> Any:
    if name == "PROCESSES":  # the registered processes, as they stand now
        return process_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    _explanations.cache_clear()


#: A playbook is some 50 kB; anything far larger is not one.
MAX_PLAYBOOK_BYTES = 2_000_000


def _read_yaml(path: Path) -> tuple[Any, Node | None]:
    text = read_text(
        path, MAX_PLAYBOOK_BYTES, lambda problem: PlaybookError(path.name, "", problem)
    )
    try:
        return load_yaml_with_nodes(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PlaybookError(path.name, where, f"not valid YAML: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise PlaybookError(
            path.name,
            f"line {line}, column {column}",
            f"not valid YAML: the character U+{int(exc.character):04X} is not allowed",
        ) from None
    except yaml.YAMLError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PlaybookError(path.name, "", f"not valid YAML: {first}") from None


def read_playbook(path: Path) -> Playbook:
    data, nodes = _read_yaml(path)
    try:
        playbook = load_playbook(path.name, data, process_names())
    except PlaybookError as exc:
        where = exc.loc or tuple(part for part in exc.where.split(".") if part)
        exc.line = line_of(nodes, where) if nodes is not None else None
        raise
    expected = path.stem
    if playbook.meta.id != expected:
        raise PlaybookError(path.name, "meta.id", f"is {playbook.meta.id}, expected {expected}")
    return playbook


def check_folder(directory: Path, *, lines: bool = False) -> list[str]:
    """Every problem of the playbook files in ``directory``, one line each: of each
    registered process's playbook, and a flow or step its code relies on that the
    playbook lacks (naming file, flow and step).

    ``lines`` adds the line of the file each problem is at, where known.
    """
    from app.i18n import _
    from app.processes import processes

    problems: list[str] = []
    for spec in processes():
        name = f"{spec.name}.yaml"
        try:
            playbook = read_playbook(directory / name)
        except PlaybookError as exc:
            problems.append(exc.with_line() if lines else str(exc))
            continue
        for flow, step in spec.missing_ids(playbook):
            if step is None:
                problems.append(
                    _("{file}: flows.{flow}: missing; the {process} process relies on it").format(
                        file=name, flow=flow, process=spec.name
                    )
                )
            else:
                problems.append(
                    _(
                        "{file}: flows.{flow}.steps.{step}: missing; "
                        "the {process} process relies on it"
                    ).format(file=name, flow=flow, step=step, process=spec.name)
                )
    return problems


@cache
def _shipped(process: str) -> Playbook:
    return read_playbook(default_playbooks_dir() / f"{process}.yaml")


@cache
def _explanations() -> dict[str, Localized]:
    merged: dict[str, Localized] = {}
    for process in process_names():
        try:
            merged.update(_shipped(process).explanations)
        except PlaybookError:
            continue  # a broken playbook is reported where it is used
    return merged


def load_all() -> None:
    """Read and check every shipped playbook now (100–300 ms each the first time).

    Workers call this before the window words to-do items or worklist rows from
    the playbooks, so that wording on the GUI thread only ever hits the cache. A
    broken playbook is reported where it is used, not here.
    """
    for process in process_names():
        try:
            playbook_for(process)
        except PlaybookError:
            continue


def startable_flows() -> list[tuple[str, Flow]]:
    """(process, flow) of every flow an agent may start on request, in process order."""
    found: list[tuple[str, Flow]] = []
    for process in process_names():
        try:
            flows = playbook_for(process).flows
        except PlaybookError:
            continue  # reported where the playbook is used
        found.extend((process, flow) for flow in flows if flow.startable)
    return found


def playbook_for(process: str) -> Playbook:
    """The shipped playbook of ``process`` (validated once, then cached)."""
    if _spec_of()(process) is None:
        raise KeyError(process)
    return _shipped(process)


def explain(rule_id: str, language: str) -> str:
    """A rule id in plain words (the id itself when no explanation exists)."""
    text = _explanations().get(rule_id)
    return text.get(language) if text else rule_id


def option_label(process: str, input_id: str, option_id: str, language: str) -> str | None:
    """How the playbook of ``process`` words an option of one of its inputs."""
    try:
        playbook = playbook_for(process)
    except (KeyError, PlaybookError):
        return None
    for flow in playbook.flows:
        for step in flow.steps:
            for item in step.inputs:
                if item.id != input_id:
                    continue
                for option in item.options:
                    if option.id == option_id:
                        return option.label.get(language)
    return None


def complaint_category_label(category: str, language: str) -> str:
    """A complaint category id (``billing_system.balance_desync``) in words."""
    option = category.replace(".", "__")
    return option_label("complaint", "category", option, language) or category
