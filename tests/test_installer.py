"""The Windows build's inputs, checked without running PyInstaller.

What goes into the bundle (installer/bundle.py, used by the spec), the version
resource written from app/__init__.py, and the NSIS script taking its version
from the build. When NSIS is installed, the script is compiled for real
against a stand-in program folder (a second or so; no PyInstaller run).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import app
from app.commands import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"


def _load(name: str) -> ModuleType:
    """A module of installer/ (a folder of scripts, not a package) under a private name."""
    spec = importlib.util.spec_from_file_location(f"_installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bundle = _load("bundle")
version = _load("version")


def _destinations(datas: list[tuple[str, str]]) -> dict[str, str]:
    """Bundle path of each file -> its source."""
    return {f"{dest}/{Path(src).name}": src for src, dest in datas}


# --- what goes into the bundle -------------------------------------------------


def test_bundle_holds_resources_and_alembic_scripts_where_the_code_looks() -> None:
    files = _destinations(bundle.data_files(ROOT))
    for rules in (ROOT / "resources" / "rules").glob("*.toml"):
        assert f"resources/rules/{rules.name}" in files
    assert "resources/fonts/DejaVuSans.ttf" in files
    assert "resources/icons/agent-assist.svg" in files
    # Alembic reads these from the file system next to app/store/db.py.
    assert "app/store/migrations/env.py" in files
    assert "app/store/migrations/script.py.mako" in files
    versions = sorted((ROOT / "app/store/migrations/versions").glob("*.py"))
    assert versions
    for script in versions:
        assert f"app/store/migrations/versions/{script.name}" in files
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)
    assert all(Path(src).is_file() for src in files.values())


def _fake_project(root: Path) -> Path:
    for name in (
        "resources/rules/fair_use.toml",
        "resources/docs/main-window.png",
        "resources/README.md",
        "translations/de/LC_MESSAGES/agent_assist.po",
        "translations/de/LC_MESSAGES/agent_assist.mo",
        "translations/zh_Hans/LC_MESSAGES/agent_assist.mo",
        "translations/agent_assist.pot",
        "app/store/migrations/env.py",
        "app/store/migrations/versions/0001_initial.py",
        "app/store/migrations/versions/__pycache__/0001_initial.cpython-311.pyc",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    return root


def test_bundle_takes_compiled_catalogs_and_leaves_out_docs_and_sources(tmp_path: Path) -> None:
    files = _destinations(bundle.data_files(_fake_project(tmp_path)))
    assert sorted(files) == [
        "app/store/migrations/env.py",
        "app/store/migrations/versions/0001_initial.py",
        "resources/README.md",
        "resources/rules/fair_use.toml",
        "translations/de/LC_MESSAGES/agent_assist.mo",
        "translations/zh_Hans/LC_MESSAGES/agent_assist.mo",
    ]


def test_every_sub_command_module_is_a_hidden_import() -> None:
    hidden = bundle.hidden_imports(ROOT)
    assert bundle.command_modules(ROOT) == COMMAND_MODULES
    for name in COMMAND_MODULES:
        assert f"app.commands.{name}" in hidden
    assert "sqlalchemy.dialects.postgresql.psycopg" in hidden
    assert "sqlalchemy.dialects.sqlite" in hidden
    assert "psycopg_binary" in hidden


def test_spec_uses_the_bundle_lists_and_collects_all_of_app() -> None:
    spec = (INSTALLER / "agent-assist.spec").read_text(encoding="utf-8")
    assert "*bundle.data_files(ROOT)" in spec
    assert 'collect_dynamic_libs("pypdfium2_raw")' in spec
    assert "bundle.hidden_imports(ROOT)" in spec
    assert 'collect_submodules("app")' in spec
    assert "version.write_version_file(" in spec
    assert re.search(r"EXE\([^)]*console=False", spec), "a windowed program"
    assert re.search(r"EXE\([^)]*console=True", spec), "a console program"
    assert re.search(r"COLLECT\(gui, cli,", spec), "both in one folder"
    assert str(app.__version__) not in spec


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
        ("PySide6/translations/qt_ru.qm", True),
        ("PySide6/Qt/translations/qtbase_fr.qm", False),
        ("PySide6/Qt/translations/qtbase_zh_TW.qm", False),
        ("translations/de/LC_MESSAGES/agent_assist.mo", True),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ],
)
def test_only_the_products_languages_of_qts_own_translations_are_kept(
    name: str, kept: bool
) -> None:
    assert bundle.keep_qt_translation(name) is kept


def test_frozen_resources_are_found_below_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import resources

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    resources.project_root.cache_clear()
    try:
        assert resources.resource_path("rules") == tmp_path / "_internal" / "resources" / "rules"
        assert resources.translations_path() == tmp_path / "_internal" / "translations"
    finally:
        monkeypatch.undo()
        resources.project_root.cache_clear()
    assert resources.project_root() == ROOT


# --- the version ---------------------------------------------------------------


def _eval_version_file(text: str) -> dict[str, Any]:
    """Evaluate the file as PyInstaller does, with recording stand-ins for its classes."""

    def record(kind: str) -> Any:
        return lambda *args, **kwargs: {"kind": kind, "args": args, **kwargs}

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "VarFileInfo")
    namespace = {name: record(name) for name in names}
    namespace["StringStruct"] = lambda key, value: (key, value)
    namespace["VarStruct"] = record("VarStruct")
    return eval(text, namespace)


def test_version_file_carries_the_version_of_app_init(tmp_path: Path) -> None:
    info = version.write_version_file(tmp_path / "build" / "version-info.txt")
    assert info.version == app.__version__
    resource = _eval_version_file((tmp_path / "build" / "version-info.txt").read_text("utf-8"))
    numbers = tuple(int(n) for n in re.findall(r"\d+", app.__version__)[:4])
    expected = (*numbers, 0, 0, 0, 0)[:4]
    assert resource["ffi"]["filevers"] == expected
    assert resource["ffi"]["prodvers"] == expected
    (table,) = resource["kids"][0]["args"][0]
    strings = dict(table["args"][1])
    assert strings["FileVersion"] == app.__version__
    assert strings["ProductVersion"] == app.__version__
    assert strings["ProductName"] == app.APP_NAME


def test_version_is_read_without_importing_the_application(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(
        'import PySide6.NotInstalled\n__version__ = "2.10.3rc1"\nAPP_NAME = "X"\nAPP_ID = "x"\n',
        encoding="utf-8",
    )
    info = version.read_app_info(init)
    assert (info.version, info.windows_version_string) == ("2.10.3rc1", "2.10.3.0")
    init.write_text('APP_NAME = "X"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="__version__"):
        version.read_app_info(init)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("1", (1, 0, 0, 0)), ("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)),
     ("2.0.0.dev5", (2, 0, 0, 0)), ("v3.1", (3, 1, 0, 0))],
)  # fmt: skip
def test_windows_wants_four_numbers(text: str, numbers: tuple[int, ...]) -> None:
    assert version.windows_version(text) == numbers


@pytest.mark.parametrize("text", ["beta", "1.2.3.4.5", "1.70000"])
def test_versions_windows_cannot_hold_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(text)):
        version.windows_version(text)


def test_version_command_prints_the_version_for_makensis() -> None:
    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(INSTALLER / "version.py"), *args],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    assert run() == app.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", run("--windows"))
    assert f"-DVERSION={app.__version__}" in version.nsis_defines()


# --- the NSIS script -----------------------------------------------------------

NSI = INSTALLER / "agent-assist.nsi"


def test_nsis_script_takes_its_version_from_the_build() -> None:
    script = NSI.read_text(encoding="utf-8")
    code = "\n".join(line.split(";")[0] for line in script.splitlines())
    assert not re.search(r"\d+\.\d+\.\d+", code), "a hard-coded version"
    assert re.search(r"!ifndef VERSION\s*\n\s*!error", code)
    assert 'VIProductVersion "${VERSION_WIN}"' in code
    assert '"DisplayVersion" "${VERSION}"' in code
    for value in ("DisplayName", "Publisher", "InstallLocation", "UninstallString"):
        assert f'"{value}"' in code
    assert '"EstimatedSize"' in code
    assert "agent-assist-site.json" in code


#: CI (.ci/run, CI=true) installs NSIS: there a missing makensis fails these tests.
needs_nsis = pytest.mark.skipif(
    shutil.which("makensis") is None and not os.environ.get("CI"),
    reason="NSIS is not installed (.ci/run installs it)",
)


@pytest.fixture
def stand_in_program(tmp_path: Path) -> Path:
    folder = tmp_path / "dist" / "agent-assist"
    (folder / "_internal").mkdir(parents=True)
    for name in ("Agent Assist.exe", "agent-assist.exe", "_internal/base_library.zip"):
        (folder / name).write_bytes(b"MZ stand-in")
    return folder


@needs_nsis
def test_nsis_script_compiles_without_warnings(stand_in_program: Path, tmp_path: Path) -> None:
    setup = tmp_path / "AgentAssist-test-setup.exe"
    command = ["makensis", "-V2", "-WX", *version.nsis_defines(),
               f"-DDIST={stand_in_program}", f"-DOUTFILE={setup}", str(NSI)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert setup.read_bytes()[:2] == b"MZ"


@needs_nsis
def test_nsis_build_without_a_version_stops_with_a_message(stand_in_program: Path) -> None:
    command = ["makensis", "-V1", f"-DDIST={stand_in_program}", str(NSI)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "VERSION is not defined" in result.stdout + result.stderr


# --- the launcher and its installation check -----------------------------------


def test_installation_check_passes_from_source(
    qapp: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    installation_check = _load("installation_check")
    assert installation_check.main() == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out
    assert "ok     migrations" in out
    # The bundle formats with babel's CLDR data for the locale (whatever its release
    # writes, e.g. the de_CH group separator), not with a copy of it.
    from babel.numbers import get_group_symbol

    from app.i18n import format_date, format_money

    money = format_money(Decimal("1234.50"), "CHF", "de")
    assert f"1{get_group_symbol('de_CH')}234" in money
    assert f"de: {format_date(date(2026, 1, 15), 'de', 'long')}, {money}" in out


def test_launcher_is_the_agent_assist_command() -> None:
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "launcher.py"), "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{app.APP_NAME} {app.__version__}"


# --- what CI builds, and the Windows pipeline ------------------------------------


def test_ci_installs_nsis_builds_the_frozen_program_and_starts_its_smoke_test() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    packages = re.search(r"^packages=\(([^)]*)\)", ci, re.M | re.S)
    assert packages is not None and "nsis" in packages.group(1).split()
    assert "installer/build.py" in ci and "--workpath" in ci
    assert "actionlint" in ci and ".github/workflows/*.yml" in ci
    # The suite's summary stays the last line: the build runs before it.
    assert ci.index("installer/build.py") < ci.index('bash -c "$TEST_COMMAND"')
    build = (INSTALLER / "build.py").read_text(encoding="utf-8")
    assert '"--smoke"' in build and '"--check-installation"' in build


def test_windows_workflow_builds_installs_starts_uninstalls_and_uploads() -> None:
    workflow = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    assert "runs-on: windows-" in workflow
    assert "installer\\build.py" in workflow
    for needed in ('"/S"', '"/DBURL=$db"', '"/D=$target"', "--version", "db status",
                   "--smoke", "uninstall.exe", "_?=", "actions/upload-artifact@"):  # fmt: skip
        assert needed in workflow, needed


@needs_nsis
def test_nsis_script_compiles_with_the_ci_compressor(
    stand_in_program: Path, tmp_path: Path
) -> None:
    setup = tmp_path / "AgentAssist-zlib-setup.exe"
    command = ["makensis", "-V2", "-WX", *version.nsis_defines(), "-DCOMPRESSOR=zlib",
               f"-DDIST={stand_in_program}", f"-DOUTFILE={setup}", str(NSI)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert setup.read_bytes()[:2] == b"MZ"


def test_smoke_test_passes_from_source(tmp_path: Path) -> None:
    """The same end-to-end start CI runs on the frozen program (installer/smoke.py)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "AGENT_ASSIST_DATA_DIR": str(tmp_path / "data"),
           "AGENT_ASSIST_CONFIG_DIR": str(tmp_path / "config"),
           "AGENT_ASSIST_LOG_DIR": str(tmp_path / "logs")}  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "launcher.py"), "--smoke"],
        capture_output=True, text=True, check=False, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("database", "letter", "catalogs", "rules", "sync", "window"):
        assert re.search(rf"^ok +{step}: ", result.stdout, re.M), result.stdout
    assert "sync: sync engine present; the demo database is a desktop" in result.stdout
    assert "Signal source has been deleted" not in result.stdout + result.stderr
    assert (tmp_path / "data" / "demo.sqlite3").is_file()


def test_build_info_records_the_date_and_the_libraries_licences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import diagnostics, resources

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    path = tmp_path / "_internal" / "resources" / "build-info.json"
    data = version.write_build_info(path)
    assert data["built"] == "2026-01-01" and data["version"] == app.__version__
    names = {re.sub(r"[-_.]+", "-", lib["name"]).lower(): lib for lib in data["libraries"]}  # type: ignore[union-attr]
    assert {"pyside6-essentials", "sqlalchemy", "reportlab", "babel"} <= set(names)
    assert "LGPL" in names["pyside6-essentials"]["licence"]
    assert not {"pytest", "pyinstaller", "ruff"} & set(names)  # only what the program runs on

    # The frozen program reads it below _MEIPASS; a checkout is a development build.
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    resources.project_root.cache_clear()
    diagnostics.build_info.cache_clear()
    try:
        assert diagnostics.build_text() == "2026-01-01"
        assert diagnostics.build_info().libraries[0].licence
    finally:
        monkeypatch.undo()
        resources.project_root.cache_clear()
        diagnostics.build_info.cache_clear()
    assert diagnostics.build_text() == "development build"
