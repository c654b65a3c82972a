"""What goes into the frozen build besides the Python modules PyInstaller finds itself.

Kept apart from the spec so the lists can be read and tested without running
PyInstaller. Paths in the bundle mirror the source tree, so the code finds
its files the same way frozen and unfrozen: ``resources/`` and
``translations/`` below ``sys._MEIPASS`` (PyInstaller 6 one-folder: the
``_internal`` folder), the Alembic scripts next to ``app/store/db.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Folders below resources/ that are for the repository only, not the users.
RESOURCES_LEFT_OUT = frozenset({"docs"})
#: Where Alembic reads env.py, script.py.mako and versions/*.py at run time.
MIGRATIONS = Path("app", "store", "migrations")

#: Qt modules the application does not use (PyInstaller would otherwise follow
#: imports some libraries make to them). QtSvg stays: it draws the app icon.
QT_EXCLUDES = tuple(
    f"PySide6.{name}"
    for name in (
        "Qt3DCore",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDesigner",
        "QtHelp",
        "QtLabsStyleKit",
        "QtMultimedia",
        "QtNetworkAuth",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtPdf",
        "QtPositioning",
        "QtQml",
        "QtQmlFeatures",
        "QtQuick",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickTest",
        "QtQuickWidgets",
        "QtSql",
        "QtTest",
        "QtUiTools",
        "QtWebEngineCore",
        "QtWebEngineWidgets",
        "QtXml",
    )
)
#: Development-only packages that must never reach a desktop.
DEV_EXCLUDES = ("tkinter", "pytest", "_pytest", "hypothesis", "pypdf", "mypy", "IPython")


#: Qt translation files kept (``qtbase_de.qm``, ``qt_zh_CN.qm`` ...): the UI languages.
QT_TRANSLATION_LANGUAGES = ("de", "en", "ru", "zh_CN")


def keep_qt_translation(dest_name: str) -> bool:
    """False for Qt's translation files of languages the product does not speak."""
    parts = Path(dest_name).parts
    if "translations" not in parts or not dest_name.endswith(".qm") or "PySide6" not in parts:
        return True
    stem = Path(dest_name).stem
    return any(stem.endswith(f"_{lang}") for lang in QT_TRANSLATION_LANGUAGES)


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    )


def data_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """PyInstaller ``datas``: (source file, destination folder in the bundle)."""
    datas: list[tuple[str, str]] = []

    def add(files: list[Path]) -> None:
        for path in files:
            datas.append((str(path), path.parent.relative_to(root).as_posix()))

    resources = root / "resources"
    for child in sorted(resources.iterdir()):
        if child.name in RESOURCES_LEFT_OUT or child.name.startswith("."):
            continue
        add(_files(child) if child.is_dir() else [child])
    # Compiled catalogs only: the .po sources are for translators.
    translations = root / "translations"
    if translations.is_dir():
        add(sorted(translations.rglob("*.mo")))
    add(_files(root / MIGRATIONS))
    return datas


def command_modules(root: Path = ROOT) -> tuple[str, ...]:
    """``app.commands.COMMAND_MODULES``, read from the source (imported with importlib)."""
    source = root / "app" / "commands" / "__init__.py"
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "COMMAND_MODULES" and node.value:
            return tuple(ast.literal_eval(node.value))
    raise ValueError(f"{source}: COMMAND_MODULES not found")


def hidden_imports(root: Path = ROOT) -> list[str]:
    """Modules imported by name at run time, which PyInstaller cannot see."""
    return [
        *(f"app.commands.{name}" for name in command_modules(root)),
        # The database drivers: SQLAlchemy loads dialects by URL scheme.
        "sqlalchemy.dialects.sqlite",
        "sqlalchemy.dialects.sqlite.pysqlite",
        "sqlalchemy.dialects.postgresql",
        "sqlalchemy.dialects.postgresql.psycopg",
        "psycopg",
        "psycopg_binary",
        "psycopg_binary.pq",
        "psycopg_binary._psycopg",
        # Alembic's run-time pieces (env.py and the version scripts import these).
        "alembic",
        "alembic.command",
        "alembic.config",
        "alembic.runtime.migration",
        "alembic.script",
        "alembic.op",
        "alembic.context",
        "alembic.ddl.sqlite",
        "alembic.ddl.postgresql",
    ]
