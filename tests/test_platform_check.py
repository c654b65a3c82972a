"""On Linux, a missing system library of Qt's xcb plugin is named with its package
before Qt would abort the process; the README's apt line installs all of them."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from app.ui.platform_check import (
    XCB_LIBRARIES,
    packages_for,
    qt_platform,
    xcb_plugin_path,
    xcb_problem,
)

ROOT = Path(__file__).resolve().parent.parent
X11 = {"DISPLAY": ":0"}


def _loader(missing: set[str]) -> Callable[[str], None]:
    def load(name: str) -> None:
        if Path(name).name in missing or name in missing:
            raise OSError(f"{sorted(missing)[0]}: cannot open shared object file")

    return load


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", "xcb"),
        ({"QT_QPA_PLATFORM": "xcb:dpi=96"}, "linux", "xcb"),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", "offscreen"),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", "wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "wayland"),
        ({"XDG_SESSION_TYPE": "wayland"}, "linux", "wayland"),
        ({}, "win32", None),
        ({}, "darwin", None),
    ],
)
def test_the_plugin_qt_will_try_first(
    environ: dict[str, str], platform: str, expected: str | None
) -> None:
    assert qt_platform(environ, platform) == expected


def test_missing_libraries_are_named_with_their_packages(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    missing = {"libqxcb.so", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}
    problem = xcb_problem(X11, plugin, _loader(missing), "linux")
    assert problem is not None
    for library in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"):
        assert library in problem
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in problem


def test_a_library_outside_the_table_is_named_from_the_linker_error(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")

    def load(name: str) -> None:
        if name == str(plugin):
            raise OSError("libxcb-new-thing.so.2: cannot open shared object file: No such file")

    problem = xcb_problem(X11, plugin, load, "linux")
    assert problem is not None and "libxcb-new-thing.so.2" in problem
    assert "apt-get" not in problem  # no package is guessed


def test_nothing_is_reported_when_the_plugin_loads_or_does_not_apply(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    everything_missing = _loader({"libqxcb.so", *XCB_LIBRARIES})
    assert xcb_problem(X11, plugin, _loader(set()), "linux") is None
    assert xcb_problem({"QT_QPA_PLATFORM": "offscreen"}, plugin, everything_missing) is None
    assert xcb_problem({**X11, "WAYLAND_DISPLAY": "w-0"}, plugin, everything_missing) is None
    assert xcb_problem(X11, plugin, everything_missing, "win32") is None
    assert xcb_problem(X11, tmp_path / "absent.so", everything_missing, "linux") is None


def test_no_display_is_said_in_words() -> None:
    problem = xcb_problem({}, None, _loader(set()), "linux")
    assert problem is not None and "DISPLAY" in problem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_real_plugin_is_found_and_loads_or_names_what_is_missing() -> None:
    plugin = xcb_plugin_path()
    assert plugin is not None and plugin.is_file()
    problem = xcb_problem(X11, plugin)
    assert problem is None or "sudo apt-get install" in problem or ".so" in problem


def test_the_readme_apt_line_installs_every_package_the_check_names() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^sudo apt-get install (.+)$", readme, re.M)
    assert line is not None
    assert set(packages_for(XCB_LIBRARIES)) <= set(line.group(1).split())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_command_says_what_is_missing_instead_of_a_qt_abort(tmp_path: Path) -> None:
    """The real ``agent-assist --demo`` start, with the linker told that two libraries
    are missing: a clear line and exit code 1, no Qt abort, no window."""
    script = textwrap.dedent(
        """
        import ctypes, sys
        real = ctypes.CDLL
        class PretendMissing(real):
            def __init__(self, name, *args, **kwargs):
                if str(name).endswith(("libqxcb.so", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")):
                    raise OSError(f"{name}: cannot open shared object file")
                super().__init__(name, *args, **kwargs)
        ctypes.CDLL = PretendMissing
        from app.cli import main
        sys.exit(main(["--demo"]))
        """
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DISPLAY": ":99",
        "AGENT_ASSIST_DATA_DIR": str(tmp_path / "data"),
        "AGENT_ASSIST_CONFIG_DIR": str(tmp_path / "config"),
        "LANGUAGE": "en",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in result.stderr
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists(), "nothing is started before the check"
