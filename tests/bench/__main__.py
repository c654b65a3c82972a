"""``python -m tests.bench scale …``: the operator-scale benchmark (:mod:`tests.bench.scale`);
``python -m tests.bench worklists …``: the worklists and their window at that scale
(:mod:`tests.bench.scale_worklists`).

The other benchmarks of this folder run as scripts (``python tests/bench/bench_rules.py``).
"""

from __future__ import annotations

import sys

USAGE = (
    "usage: python -m tests.bench scale|sync|history|worklists [options]; "
    "scale [--customers N] [--engines sqlite,postgresql] …"
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("scale", "sync", "history", "worklists"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "worklists":  # the worklists and their window (tests/bench/scale_worklists.py)
        from tests.bench.scale_worklists import main as worklists

        return worklists(argv[1:])
    if argv[0] == "sync":  # the branch sync's push and pull (tests/bench/bench_sync.py)
        from tests.bench.bench_sync import main as bench_sync

        return bench_sync(argv[1:])
    if argv[0] == "history":  # the history browser's pages (tests/bench/bench_history.py)
        from tests.bench.bench_history import main as bench_history

        return bench_history(argv[1:])
    from tests.bench.scale import main as scale

    return scale(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
