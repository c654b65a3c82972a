"""Entry point of the frozen build: the same ``agent-assist`` command as ``app.cli``.

Both executables of the installed program start here: ``Agent Assist.exe``
(windowed, for the Start menu) and ``agent-assist.exe`` (console, for IT's
sub-commands such as ``db upgrade``). ``--check-installation`` verifies the
frozen folder itself (data files, migrations, formats, drivers) and is what
``installer/build.py`` runs after every build; ``--smoke`` starts the program
once end to end, offscreen (installer/smoke.py), as CI does with every build.

``multiprocessing.freeze_support()`` comes first: letter batches render in
worker processes, which on Windows start this executable again; in a worker
it runs the worker and exits, in the program itself it does nothing.
"""

from __future__ import annotations

import sys


def _run() -> int:
    if sys.argv[1:] == ["--check-installation"]:
        import installation_check

        return installation_check.main()
    if sys.argv[1:] == ["--smoke"]:
        import smoke

        return smoke.main()
    from app.cli import main

    return main()


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(_run())
