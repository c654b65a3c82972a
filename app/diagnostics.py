"""What support needs to know about an installation, and what the About box shows.

:func:`collect` gathers the version and build, the operating system, Python and
Qt, the database mode and schema version, the sync state, the rule-set version
and where the log is; :func:`report` adds the last log lines (masked like the
log itself) and makes one text for the clipboard (Help > Copy diagnostics);
:func:`write_zip` puts it in a zip (``agent-assist diagnostics --out FILE.zip``).
Neither ever holds a password, a customer's name or a full phone number.

:func:`build_info` reads ``resources/build-info.json``, which the installer
build writes (date, and the licences of the libraries it bundled); a source
checkout has none and is a "development build". Imports no Qt at module level.
"""

from __future__ import annotations

import json
import logging
import platform
import re
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import APP_ID, APP_NAME, __version__
from app.i18n import _

if TYPE_CHECKING:
    from app.store.db import Database

log = logging.getLogger(__name__)

BUILD_INFO_FILE = "build-info.json"
#: How many lines of the log a report carries.
LOG_LINES = 200


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    licence: str


@dataclass(frozen=True)
class BuildInfo:
    """When the installed program was built, and which libraries it carries."""

    built: str | None  # ISO date; None from a source checkout
    libraries: tuple[Library, ...] = field(default_factory=tuple)


def licence_of(meta: Any) -> str:
    """A distribution's licence from its metadata: the SPDX expression, a short
    ``License`` field, else its "License ::" classifiers."""
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    text = (meta.get("License") or "").strip()
    if text and len(text) <= 60 and "\n" not in text:
        return text
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    return ", ".join(classifiers) or (text.splitlines()[0][:60] if text else "?")


def runtime_libraries(root: str = APP_ID) -> tuple[Library, ...]:
    """``root``'s run-time dependencies and theirs, without extras, from installed metadata."""
    seen: dict[str, Library] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key in seen:
            continue
        seen[key] = Library(dist.metadata["Name"], dist.version, licence_of(dist.metadata))
        for requirement in dist.requires or []:
            if "extra ==" in requirement.replace(" ", " "):
                continue
            spec, _sep, marker = requirement.partition(";")
            if marker.strip() and not _marker_holds(marker):
                continue
            todo.append(re.split(r"[\s\[<>=!~(]", spec.strip(), maxsplit=1)[0])
    seen.pop(APP_ID, None)
    return tuple(sorted(seen.values(), key=lambda lib: lib.name.lower()))


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return bool(Marker(marker.strip()).evaluate({"extra": ""}))
    except Exception:
        return True


@cache
def build_info() -> BuildInfo:
    """The build's own record, or the live environment for a development build."""
    from app.resources import resource_path

    path = resource_path(BUILD_INFO_FILE)
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            libraries = tuple(Library(**lib) for lib in raw.get("libraries", []))
            return BuildInfo(str(raw["built"]), libraries)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("cannot read %s: %s", path.name, exc)
    return BuildInfo(None, runtime_libraries())


def build_text(info: BuildInfo | None = None) -> str:
    info = info or build_info()
    return info.built if info.built else _("development build")


def font_licences() -> list[tuple[str, str]]:
    """(font files, licence) from the table in ``resources/fonts/README.md``."""
    from app.resources import resource_path

    try:
        text = resource_path("fonts", "README.md").read_text(encoding="utf-8")
    except OSError:
        return []
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("file", "") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[2]))
    return rows


def ruleset_versions() -> dict[str, str]:
    """Rule file -> version of the rule set in force (empty when it cannot be read)."""
    try:
        from app.services.rules import load_ruleset

        return dict(load_ruleset().versions)
    except Exception as exc:  # a broken rule file is reported where it is used
        log.warning("cannot read the rule set: %s", exc)
        return {}


def ruleset_text() -> str:
    versions = ruleset_versions()
    if not versions:
        return _("cannot be read")
    distinct = sorted(set(versions.values()))
    if len(distinct) == 1:
        return distinct[0]
    return ", ".join(f"{name.removesuffix('.toml')} {v}" for name, v in sorted(versions.items()))


def database_mode(url: str) -> str:
    """Local SQLite file or shared PostgreSQL server, without user or password."""
    from app.store.db import DatabaseError, parse_db_url

    try:
        parsed = parse_db_url(url)
    except DatabaseError:
        return _("not a valid database URL")
    if parsed.get_backend_name() == "sqlite":
        return _("local SQLite file {file}").format(file=Path(parsed.database or ":memory:").name)
    port = f":{parsed.port}" if parsed.port else ""
    return _("shared PostgreSQL server {server}").format(
        server=f"{parsed.host or 'localhost'}{port}/{parsed.database}"
    )


def schema_text(url: str, db: Database | None = None) -> str:
    """The schema version in the database and the one this program needs."""
    from app.config import sqlite_file
    from app.store.db import Database, current_revision, head_revision

    head = head_revision()
    own = db is None
    path = sqlite_file(url)
    if db is None and path is not None and not path.is_file():  # never create it here
        return _("{current}; this program needs {head}").format(
            current=_("not created yet"), head=head
        )
    try:
        if db is None:
            db = Database(url, migrate=False)
        try:
            current = current_revision(db.engine)
        finally:
            if own:
                db.dispose()
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return _("cannot be read ({reason}); this program needs {head}").format(
            reason=first, head=head
        )
    return _("{current}; this program needs {head}").format(
        current=current or _("not created yet"), head=head
    )


def sync_text(url: str, db: Database | None = None) -> str:
    """How the database syncs (:func:`app.sync.status` in words), without asking the
    server (support reads this when the line may be down) and never creating a file."""
    from app.config import sqlite_file
    from app.store.db import Database

    path = sqlite_file(url)
    if path is None:
        return _("connected to the shared server: nothing to sync")
    if db is None and not path.is_file():
        return _("not configured")
    own = db is None
    try:
        from app.sync import status
        from app.sync.words import status_words

        if db is None:
            db = Database(url, migrate=False)
        try:
            return status_words(status(db, probe=False))
        finally:
            if own:
                db.dispose()
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return _("cannot be read ({reason})").format(reason=first)


def qt_versions() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError as exc:
        return _("not available ({reason})").format(reason=exc)
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


def collect(url: str, db: Database | None = None) -> list[tuple[str, str]]:
    """(label, value) for everything support asks about, in the order shown."""
    from app.i18n import ui_language
    from app.logs import log_file

    frozen = _("installed program") if getattr(sys, "frozen", False) else _("from source")
    return [
        (_("Version"), f"{APP_NAME} {__version__} ({frozen})"),
        (_("Build"), build_text()),
        (_("Operating system"), platform.platform()),
        (_("Python"), f"{platform.python_version()} ({platform.architecture()[0]})"),
        (_("Qt"), qt_versions()),
        (_("Database"), database_mode(url)),
        (_("Schema version"), schema_text(url, db)),
        (_("Sync"), sync_text(url, db)),
        (_("Rule set"), ruleset_text()),
        (_("Language of the application"), ui_language()),
        (_("Log file"), str(log_file())),
    ]


def report(url: str, db: Database | None = None, lines: int = LOG_LINES) -> str:
    """The diagnostics as one text: the facts, then the last log lines (masked)."""
    from app.logs import last_lines, mask

    facts = collect(url, db)
    width = max(len(label) for label, _value in facts)
    head = [f"{label.ljust(width)}  {value}" for label, value in facts]
    tail = last_lines(lines)
    title = _("Last {count} lines of the log").format(count=len(tail))
    return mask("\n".join([*head, "", f"--- {title} ---", *tail])) + "\n"


def write_zip(path: Path, url: str, db: Database | None = None) -> Path:
    """The report as ``diagnostics.txt`` in the zip ``path``."""
    text = report(url, db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("diagnostics.txt", text)
    return path
