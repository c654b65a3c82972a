"""How long letters take: one letter (median per language) and a batch, wall-clock.

    .venv/bin/python tests/bench/bench_letters.py [--letters 1000] [--repeat 20]

Fonts and templates are loaded once before timing (as in a running app).
CPU time is printed next to wall-clock: on a busy machine the difference is
time spent waiting for a core.
The batch cycles through every document in every language from the sample
data and renders each letter to PDF bytes in memory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.templates import document_ids

LANGUAGES = ("de", "en", "ru", "zh")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=1000, help="letters in the batch")
    parser.add_argument("--repeat", type=int, default=20, help="timings per language")
    args = parser.parse_args()

    jobs = [(d, lang, sample_context(d, lang)) for d in document_ids() for lang in LANGUAGES]
    for document, language, context in jobs:  # warm up: fonts, templates, styles
        render_letter(document, language, context)

    print("one letter, median ms (min) per language:")
    for language in LANGUAGES:
        mine = [j for j in jobs if j[1] == language]
        times = []
        for document, _lang, context in islice(cycle(mine), args.repeat):
            start = time.perf_counter()
            render_letter(document, language, context)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {language}  {statistics.median(times):6.1f}  ({min(times):.1f})")

    start, cpu = time.perf_counter(), time.process_time()
    size = 0
    for document, language, context in islice(cycle(jobs), args.letters):
        size += len(render_letter(document, language, context))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{args.letters} letters: {elapsed:.2f} s wall-clock, {cpu:.2f} s CPU "
        f"({elapsed / max(args.letters, 1) * 1000:.1f} ms per letter, "
        f"{size / max(args.letters, 1) / 1024:.0f} KiB average)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
