"""How long letters take: one letter (median per language) and a batch, wall-clock.

    .venv/bin/python tests/bench/bench_letters.py [--letters 1000] [--repeat 20] [--workers N]

Fonts and templates are loaded once before timing (as in a running app).
The batch cycles through every document in every language from the sample
data and renders each letter to PDF bytes in memory, in parallel on every
core as ``agent-assist letters batch`` does (``--workers 1``: one process);
the time includes starting the worker processes. The load average is
printed with the figures: on a busy machine wall-clock time includes
waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.letters.batch import RenderJob, render_all, worker_count
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.templates import document_ids

LANGUAGES = ("de", "en", "ru", "zh")


def load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=1000, help="letters in the batch")
    parser.add_argument("--repeat", type=int, default=20, help="timings per language")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    args = parser.parse_args()

    jobs = [(d, lang, sample_context(d, lang)) for d in document_ids() for lang in LANGUAGES]
    for document, language, context in jobs:  # warm up: fonts, templates, styles
        render_letter(document, language, context)

    print(f"one letter, median ms (min) per language; load average {load()}:")
    for language in LANGUAGES:
        mine = [j for j in jobs if j[1] == language]
        times = []
        for document, _lang, context in islice(cycle(mine), args.repeat):
            start = time.perf_counter()
            render_letter(document, language, context)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {language}  {statistics.median(times):6.1f}  ({min(times):.1f})")

    batch = [
        RenderJob(uuid.uuid4(), document, language, context)
        for document, language, context in islice(cycle(jobs), args.letters)
    ]
    workers = args.workers or worker_count()
    start, cpu = time.perf_counter(), time.process_time()
    size = failed = 0
    for _job, rendered in render_all(batch, workers=workers):
        size += len(rendered.pdf)
        failed += rendered.error is not None
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    n = max(args.letters, 1)
    print(
        f"{args.letters} letters: {elapsed:.2f} s wall-clock on {workers} process(es), "
        f"{elapsed / n * 1000:.1f} ms per letter, {size / n / 1024:.0f} KiB average, "
        f"{failed} failed; {cpu:.2f} s CPU in this process; load average {load()}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
