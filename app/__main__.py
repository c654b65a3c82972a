"""``python -m app`` is the same as the ``agent-assist`` command."""

import sys

from app.cli import main

sys.exit(main())
