"""Reading a file people edit (rule files, playbooks): bounded in size, UTF-8.

Each problem — missing, too large, unreadable — is one sentence that the
caller wraps in its file's own error, naming the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def read_text(
    path: Path, max_bytes: int, problem: Callable[[str], Exception], what: str = "file"
) -> str:
    """The text of ``path``; ``problem(sentence)`` is raised when it cannot be had.

    ``what`` names the file in the sentence for a missing one (``rule file is
    missing from <folder>``); a file larger than ``max_bytes`` is refused unread.
    """
    try:
        if path.stat().st_size > max_bytes:
            raise problem(f"larger than {max_bytes} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise problem(f"{what} is missing from {path.parent}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise problem(f"cannot be read ({exc})") from None
