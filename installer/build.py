"""Build Agent Assist for deployment: one command, run from anywhere.

    python installer/build.py [--clean] [--no-installer]

Steps (each prints its duration):

1. compile the gettext catalogs (``python -m app.i18n_tools compile``) when any ``.po`` exists;
2. write the Windows version resource from ``app/__init__.py`` (installer/version.py);
3. draw the executable icon from ``resources/icons/agent-assist.svg``;
4. run PyInstaller with ``installer/agent-assist.spec`` -> ``dist/agent-assist/``;
5. run ``--check-installation`` on the built program (the build fails if it fails);
6. run ``--smoke`` on it: the demo database, a letter, every catalog, a rules decision and
   the main window, offscreen (installer/smoke.py; the build fails if it fails);
7. run ``makensis`` -> ``dist/AgentAssist-<version>-setup.exe``, when NSIS is installed.

Works on Windows (the real target) and on Linux (steps 1-6, and 7 with Debian's
``nsis``; CI builds this way on every run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import version  # noqa: E402 - installer/version.py, found through the line above

BUILD = ROOT / "build"
DIST = ROOT / "dist"
VERSION_FILE = BUILD / "version-info.txt"
ICON_SVG = ROOT / "resources" / "icons" / "agent-assist.svg"
ICON_FILE = BUILD / "agent-assist.ico"  # the spec and the NSIS script pick it up here
SPEC = HERE / "agent-assist.spec"
NSI = HERE / "agent-assist.nsi"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


class BuildError(Exception):
    """A step failed; the message says which and why."""


@contextmanager
def step(title: str) -> Iterator[None]:
    print(f"==> {title}", flush=True)
    started = time.perf_counter()
    yield
    print(f"    {time.perf_counter() - started:.1f} s", flush=True)


def run(command: list[str], **kwargs: object) -> None:
    print("    $ " + subprocess.list2cmdline(command), flush=True)
    result = subprocess.run(command, cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise BuildError(f"{Path(command[0]).name} failed with exit code {result.returncode}")


def compile_catalogs() -> None:
    translations = ROOT / "translations"
    if not any(translations.rglob("*.po")):
        print("    no .po catalogs in translations/: the build speaks English only")
        return
    # The application's own compile: the same rules as at runtime (no fuzzy entries,
    # no translation whose placeholders differ from the source).
    run([sys.executable, "-m", "app.i18n_tools", "compile"])


def draw_icon() -> None:
    """``agent-assist.ico`` from the SVG, with Qt (already a dependency)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QIcon, QImageWriter

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QIcon(str(ICON_SVG)).pixmap(256, 256).toImage()
    writer = QImageWriter(str(ICON_FILE), b"ico")
    if image.isNull() or not writer.write(image):
        raise BuildError(f"cannot draw {ICON_FILE} from {ICON_SVG}: {writer.errorString()}")
    print(f"    {ICON_FILE.relative_to(ROOT)}")


def pyinstaller(clean: bool, workpath: Path | None = None) -> Path:
    work = workpath or BUILD / "pyinstaller"
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm",
               "--distpath", str(DIST), "--workpath", str(work)]  # fmt: skip
    if clean:
        command.append("--clean")
    run([*command, str(SPEC)])
    return DIST / "agent-assist"


def check_installation(folder: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run([str(folder / f"agent-assist{EXE_SUFFIX}"), "--check-installation"], env=env)


def smoke_test(folder: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run([str(folder / f"agent-assist{EXE_SUFFIX}"), "--smoke"], env=env)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def find_makensis() -> str | None:
    found = shutil.which("makensis")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        candidate = Path(base or "/nonexistent", "NSIS", "makensis.exe")
        if candidate.is_file():
            return str(candidate)
    return None


def makensis(folder: Path, info: version.AppInfo, compressor: str | None = None) -> Path | None:
    tool = find_makensis()
    if tool is None:
        print("    makensis not found: skipping the installer (install NSIS 3 to build it)")
        return None
    setup = DIST / f"AgentAssist-{info.version}-setup.exe"
    defines = [*version.nsis_defines(info), f"-DDIST={folder}", f"-DOUTFILE={setup}"]
    if ICON_FILE.is_file():
        defines.append(f"-DICON={ICON_FILE}")
    if compressor:
        defines.append(f"-DCOMPRESSOR={compressor}")
    run([tool, "-V3", "-WX", *defines, str(NSI)])
    return setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", action="store_true", help="rebuild PyInstaller's cache")
    parser.add_argument("--no-installer", action="store_true", help="skip makensis")
    parser.add_argument(
        "--compressor",
        choices=["zlib", "bzip2", "lzma"],
        help="the installer's compression (default: solid LZMA, the release setting)",
    )
    parser.add_argument(
        "--workpath",
        type=Path,
        help="PyInstaller's cache folder (default build/pyinstaller); CI keeps it between runs",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        with step("translations"):
            compile_catalogs()
        with step("version"):
            info = version.write_version_file(VERSION_FILE)
            print(f"    {info.name} {info.version} (Windows {info.windows_version_string})")
        with step("icon"):
            draw_icon()
        with step("PyInstaller"):
            folder = pyinstaller(args.clean, args.workpath)
        with step("installation check"):
            check_installation(folder)
        with step("smoke test"):
            smoke_test(folder)
        setup = None
        if not args.no_installer:
            with step("installer"):
                setup = makensis(folder, info, args.compressor)
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    print(f"==> done in {time.perf_counter() - started:.0f} s")
    print(f"    {folder} ({folder_size(folder) / 2**20:.0f} MB)")
    if setup is not None:
        print(f"    {setup} ({setup.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
