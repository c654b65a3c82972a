"""Rendering many letters at once, on every core: no database, no files.

:func:`render_job` is the pure step (context in, PDF bytes out) that runs in
worker processes; :func:`render_all` yields ``(job, outcome)`` in the order
of the jobs while the workers render ahead, so the caller can write each
letter down in order and report progress as letters complete.

Workers are started with ``spawn`` on every platform: it is what Windows
does anyway, and a forked copy of a process that runs Qt threads is not
safe. A frozen Windows build needs ``multiprocessing.freeze_support()`` in
its entry point (``installer/launcher.py``). Small batches, or a machine
where worker processes cannot start, are rendered in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from app.letters.context import ContextError
from app.letters.operator import OperatorConfigError
from app.letters.render import build_pdf, prepare_letter
from app.letters.sandbox import LetterTemplateError
from app.letters.templates import load_template

log = logging.getLogger(__name__)

#: Below this many letters starting worker processes (each imports reportlab and
#: compiles the templates it needs, 1–3 s) costs more than it saves.
PARALLEL_MIN = 100
#: Letters handed to a worker at a time (fewer round trips, still even spread).
CHUNK = 4


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One letter to render: its id and everything it is filled from (plain data)."""

    letter_id: uuid.UUID
    document: str
    language: str
    context: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering gave: the PDF, the letter's title and the template version,
    or the reason it could not be rendered (``error``)."""

    letter_id: uuid.UUID
    pdf: bytes = b""
    title: str = ""
    template_version: str = ""
    error: str | None = None
    #: "context" (the facts do not fit the template) or "template" (the template is broken).
    error_kind: str = ""


def render_job(job: RenderJob) -> Rendered:
    """Render one letter; a template or context problem comes back as ``error``."""
    try:
        content = prepare_letter(job.document, job.language, job.context)
        pdf = build_pdf(content)
        version = load_template(job.document).version
    except ContextError as exc:
        error = f"{job.document} ({job.language}): {exc}"
        return Rendered(job.letter_id, error=error, error_kind="context")
    except (LetterTemplateError, TemplateError, OperatorConfigError) as exc:
        error = f"{job.document} ({job.language}): {exc}"
        return Rendered(job.letter_id, error=error, error_kind="template")
    return Rendered(job.letter_id, pdf, content.title, version)


def worker_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


def render_all(
    jobs: Sequence[RenderJob],
    *,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Generator[tuple[RenderJob, Rendered], None, None]:
    """``(job, rendered)`` for each job, in order, rendered on ``workers`` processes.

    Stops early (without rendering the rest) once ``should_stop()`` is true.
    If the worker processes cannot start or die, the remaining letters are
    rendered here, one after the other.
    """
    stop = should_stop or (lambda: False)
    count = min(workers or worker_count(), max(1, len(jobs) // CHUNK))
    done = 0
    if count > 1 and len(jobs) >= PARALLEL_MIN:
        try:
            with _pool(count) as pool:
                try:
                    for job, rendered in zip(
                        jobs, pool.map(render_job, jobs, chunksize=CHUNK), strict=True
                    ):
                        if stop():
                            return
                        done += 1
                        yield job, rendered
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
            return
        except (BrokenProcessPool, OSError, pickle.PicklingError) as exc:
            log.warning("letters are rendered in one process: %s", exc)
    for job in jobs[done:]:
        if stop():
            return
        yield job, render_job(job)


def _pool(count: int) -> Executor:
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
