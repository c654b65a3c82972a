"""Before Qt starts on Linux: can its X11 (xcb) platform plugin load?

When a system library the plugin needs is missing, Qt prints "could not load
the Qt platform plugin" and aborts the process (a core dump, no exit code a
script can act on). A fresh Debian or Ubuntu desktop misses some of them
(``libxcb-icccm4``, ``libxcb-keysyms1``, ``libxcb-cursor0``). This module tries
to load the plugin first and, when it cannot, names the packages to install.

It loads no Qt GUI code, so the check runs before a ``QApplication`` exists.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from app.i18n import _

#: The shared libraries Qt's xcb plugin (and the Qt libraries behind it) load,
#: with the Debian/Ubuntu package that has each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

#: Exit code when the display cannot be used (as for a database that cannot be opened).
EXIT_NO_DISPLAY = 1

Loader = Callable[[str], None]


def _load(name: str) -> None:
    """Load a shared library like the dynamic linker does for Qt (raises OSError)."""
    ctypes.CDLL(name)


def qt_platform(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """The platform plugin Qt will try first, or None where this check does not apply.

    ``QT_QPA_PLATFORM`` may list several (``wayland;xcb``) with options
    (``xcb:dpi=96``); without it Qt 6 takes Wayland in a Wayland session and xcb
    otherwise. Windows and macOS have a single plugin that always loads.
    """
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() or None
    wayland = environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland"
    return "wayland" if wayland else "xcb"


def missing_libraries(names: Iterable[str], load: Loader = _load) -> list[str]:
    """Those of ``names`` the dynamic linker cannot load."""
    missing = []
    for name in names:
        try:
            load(name)
        except OSError:
            missing.append(name)
    return missing


def packages_for(libraries: Iterable[str]) -> list[str]:
    """The Debian/Ubuntu packages that have ``libraries`` (unknown ones are left out)."""
    return sorted({XCB_LIBRARIES[name] for name in libraries if name in XCB_LIBRARIES})


def _missing_from_error(error: OSError) -> str:
    """The library a dlopen error names (``libfoo.so.1: cannot open shared object file``)."""
    text = str(error)
    for word in text.replace(":", " ").split():
        if ".so" in word and "libqxcb" not in word:
            return os.path.basename(word)
    return text


def xcb_problem(
    environ: Mapping[str, str] | None = None,
    plugin: Path | None = None,
    load: Loader = _load,
    platform: str = sys.platform,
) -> str | None:
    """What keeps Qt's xcb plugin from starting, in words for the person at the desktop.

    ``plugin`` is ``libqxcb.so`` of the Qt in use; when it loads, nothing is
    missing (no guessing from a list). When it does not, every missing library
    of :data:`XCB_LIBRARIES` is named with its package, so one ``apt-get install``
    fixes all of them. None when nothing is wrong or the check does not apply.
    """
    environ = os.environ if environ is None else environ
    if qt_platform(environ, platform) != "xcb":
        return None
    if not environ.get("DISPLAY"):
        return _(
            "There is no X11 display to show the window on (DISPLAY is not set). "
            "Start the application from a desktop session."
        )
    if plugin is None or not plugin.is_file():
        return None  # a build without the plugin: Qt says what it has instead
    try:
        load(str(plugin))
        return None
    except OSError as exc:
        missing = missing_libraries(XCB_LIBRARIES, load) or [_missing_from_error(exc)]
    packages = packages_for(missing)
    message = _(
        "Qt cannot start its X11 display plugin: the system libraries {libraries} are missing."
    ).format(libraries=", ".join(missing))
    if packages:
        message += " " + _(
            "On Debian or Ubuntu install them with: sudo apt-get install {packages}"
        ).format(packages=" ".join(packages))
    return message


def xcb_plugin_path() -> Path | None:
    """``libqxcb.so`` of the PySide6 in use (None where there is none)."""
    from app.ui.qt import QLibraryInfo

    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    return Path(plugins) / "platforms" / "libqxcb.so" if plugins else None
