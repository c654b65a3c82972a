"""No user-visible text in app/ui skips the translation function.

A pragmatic look at the source: string literals (and f-strings with words in
them) passed straight to the Qt calls that put text on screen. ``_()``,
``ngettext()`` and variables are fine; shortcuts, symbols and object names
are not words. Anything else that is really not to be translated goes into
:data:`ALLOWED` with a reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "app" / "ui"

#: Methods whose text arguments a person reads.
TEXT_METHODS = {
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setWhatsThis",
    "setPlaceholderText", "setTitle", "setLabelText", "setInformativeText",
    "setDetailedText", "addMenu", "addToolBar", "addTab", "setTabText", "setTabToolTip",
    "setItemText", "addItem", "addItems", "setHeaderLabels", "setHorizontalHeaderLabels",
    "setSpecialValueText", "setSuffix", "setPrefix", "showMessage", "set_placeholder",
    "addRow", "setFormat", "setButtonText",
}  # fmt: skip
#: Widgets and helpers whose constructor's text arguments a person reads.
TEXT_CONSTRUCTORS = {
    "QAction", "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox",
    "QToolButton", "QMenu", "QMessageBox", "QCommandLinkButton", "hint_label", "chip",
}  # fmt: skip
#: Where only some positional arguments are text: ``chip(text, kind, tooltip)``.
TEXT_POSITIONS: dict[str, tuple[int, ...]] = {"chip": (0, 2)}
#: QMessageBox's static dialogs: title and text.
MESSAGE_BOXES = {"information", "warning", "critical", "question", "about"}

#: (file, literal) pairs that are deliberately not translated, with the reason.
ALLOWED: dict[tuple[str, str], str] = {}


def _has_words(text: str) -> bool:
    """Letters a person would read: not a shortcut ("Ctrl+F"), symbol or format code."""
    words = [w for w in text.replace("&", "").split() if sum(c.isalpha() for c in w) >= 2]
    if not words:
        return False
    shortcut = all("+" in w or w in {"Ctrl", "Alt", "Shift", "Esc", "F1", "F5"} for w in words)
    return not shortcut


def _literal_text(node: ast.expr) -> str | None:
    """The untranslated words ``node`` puts on screen, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _has_words(node.value) else None
    if isinstance(node, ast.JoinedStr):
        parts = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return ast.unparse(node) if _has_words(parts) else None
    if isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            found = _literal_text(element)
            if found:
                return found
    if isinstance(node, ast.BinOp):  # "Customer: " + name
        return _literal_text(node.left) or _literal_text(node.right)
    return None


def _callee(node: ast.Call) -> tuple[str, str]:
    """(receiver name, called name): ``QMessageBox.warning`` -> ("QMessageBox", "warning")."""
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return owner, func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return "", ""


def untranslated_texts(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, literal) of every untranslated visible text in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _callee(node)
        visible = (
            name in TEXT_METHODS
            or name in TEXT_CONSTRUCTORS
            or (owner == "QMessageBox" and name in MESSAGE_BOXES)
        )
        if not visible:
            continue
        positions = TEXT_POSITIONS.get(name, range(len(node.args)))
        arguments = [node.args[i] for i in positions if i < len(node.args)]
        arguments += [k.value for k in node.keywords if k.arg in {"text", "title", "tooltip"}]
        for argument in arguments:
            text = _literal_text(argument)
            if text and (filename, text) not in ALLOWED:
                found.append((node.lineno, text))
    return found


UI_FILES = sorted(UI.rglob("*.py"))


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_visible_texts_go_through_the_translation_function(path: Path) -> None:
    name = path.relative_to(UI).as_posix()
    found = untranslated_texts(path.read_text(encoding="utf-8"), name)
    assert not found, f"app/ui/{name}: wrap in _() or add to ALLOWED:\n" + "\n".join(
        f"  line {line}: {text!r}" for line, text in found
    )


def test_the_check_sees_what_it_is_for() -> None:
    source = """
label.setText("Customer not found")
self.setWindowTitle(f"Worklist {name}")
box = QMessageBox.warning(self, "Error", message)
action = QAction("&Open", self)
menu = bar.addMenu("&File")
ok_1 = label.setText(_("Customer not found"))
ok_2 = action.setShortcut("Ctrl+F")
ok_3 = label.setText(f"{count} · {total}")
ok_4 = label.setText("Ctrl+Enter, Alt+Right")
ok_5 = label.setObjectName("customerName")
ok_6 = self.addToolBar("")
"""
    found = untranslated_texts(source, "example.py")
    assert [line for line, _text in found] == [2, 3, 4, 5, 6]
    assert untranslated_texts('chip(_("VIP"), "vip", tooltip="Rated")', "x.py") == [(1, "Rated")]


def test_every_allowed_exception_still_exists() -> None:
    for (name, text), reason in ALLOWED.items():
        assert reason
        assert text in (UI / name).read_text(encoding="utf-8"), f"{name}: {text!r} is gone"
