"""One widget per kind of playbook input, all driven by the keyboard alone.

* **yes_no** - two radio buttons; the first letter of "yes"/"no" in the UI
  language (shown beside them; 1/2 where the words have no such letters), or
  Y, N, 1, 2, answers while the pair has the focus.
* **choice** - radio buttons numbered 1..9 (a digit picks an option); a combo
  box when there are more options than fit.
* **date** - a date edit with a calendar popup in the agent's date format; an
  input that starts empty shows "–" until a date is typed or picked (Delete
  empties it again). The value is ISO ``YYYY-MM-DD``.
* **amount** - a line edit accepting digits with at most two decimals; a
  decimal comma is read as a point.
* **text** - a plain-text box; Tab moves on, Ctrl+Enter still goes to the next step.

Every widget gives its answer as the service expects it (``bool``, an option
id, ISO date text, amount text, text, or None when left empty) and restores a
recorded answer or a draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, date_pattern, ui_language
from app.ui.qt import (
    QButtonGroup,
    QComboBox,
    QDate,
    QDateEdit,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QRadioButton,
    QRegularExpression,
    QRegularExpressionValidator,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from app.services.run_view import InputView

Answer = bool | str | None

#: More options than this are offered in a combo box instead of radio buttons.
MAX_RADIO_OPTIONS = 6
#: The date an empty date input stands on (shown as "–").
EMPTY_DATE = QDate(1900, 1, 1)


def qt_date_format(language: str) -> str:
    """The language's one date format (:func:`app.i18n.date_pattern`) for a QDateEdit.

    Qt reads ``d``/``dd`` and ``M``/``MM`` as babel does; babel's ``y`` (the
    full year) is Qt's ``yyyy``. Digits typed with or without a leading zero
    fill a section either way.
    """
    return re.sub(r"y+", "yyyy", date_pattern(language))


class InputWidget(QWidget):
    """Base of the input widgets: the answer, read-only state, focus."""

    #: The agent changed the answer.
    changed = Signal()

    def __init__(self, view: InputView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input_id = view.id
        self.kind = view.kind
        self.setObjectName(f"input_{view.id}")

    def value(self) -> Answer:
        raise NotImplementedError

    def set_value(self, value: Answer) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        self.setEnabled(not read_only)

    def focus_target(self) -> QWidget:
        """The widget that takes the focus when the agent arrives at this input."""
        return self

    def take_focus(self) -> None:
        self.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        """Re-word fixed texts (yes/no, placeholders) in the UI language."""


class _OptionButtons(InputWidget):
    """Radio buttons with keys that pick an option while the group has the focus."""

    def __init__(
        self, view: InputView, options: Sequence[tuple[object, str]], horizontal: bool
    ) -> None:
        super().__init__(view)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QRadioButton] = []
        self._values: list[object] = []
        layout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16 if horizontal else 4)
        for value, text in options:
            button = QRadioButton(text, self)
            button.installEventFilter(self)
            self.group.addButton(button)
            self.buttons.append(button)
            self._values.append(value)
            layout.addWidget(button)
        if horizontal:
            layout.addStretch(1)
        self.group.buttonToggled.connect(lambda _b, on: self.changed.emit() if on else None)

    def _pick(self, position: int) -> None:
        if 0 <= position < len(self.buttons) and self.isEnabled():
            self.buttons[position].setChecked(True)
            self.buttons[position].setFocus(Qt.FocusReason.OtherFocusReason)

    def _keys(self) -> dict[str, int]:
        """Typed text -> option position; digits 1..9 by default."""
        return {str(i + 1): i for i in range(min(9, len(self.buttons)))}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            text = event.text().casefold()
            if mods == Qt.KeyboardModifier.NoModifier and text in self._keys():
                self._pick(self._keys()[text])
                return True
        return super().eventFilter(watched, event)

    def value(self) -> Answer:
        for button, value in zip(self.buttons, self._values, strict=True):
            if button.isChecked():
                return value  # type: ignore[return-value]
        return None

    def set_value(self, value: Answer) -> None:
        for button, candidate in zip(self.buttons, self._values, strict=True):
            if candidate == value and value is not None:
                button.setChecked(True)
                return
        checked = self.group.checkedButton()
        if checked is not None:  # an exclusive group never unchecks by itself
            self.group.setExclusive(False)
            checked.setChecked(False)
            self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        checked = self.group.checkedButton()
        return checked if checked is not None else (self.buttons[0] if self.buttons else self)


class YesNoInput(_OptionButtons):
    """Yes / No as two radio buttons; Y, N, 1, 2 or the words' first letters answer."""

    def __init__(self, view: InputView) -> None:
        super().__init__(view, [(True, ""), (False, "")], horizontal=True)
        self.buttons[0].setObjectName("yes")
        self.buttons[1].setObjectName("no")
        self.retranslate()
        self.set_value(view.value if isinstance(view.value, bool) else None)

    def retranslate(self) -> None:
        yes, no = self.key_hints()
        self.buttons[0].setText(f"{_('Yes')}  ({yes})")
        self.buttons[1].setText(f"{_('No')}  ({no})")

    @staticmethod
    def key_hints() -> tuple[str, str]:
        """The keys shown beside yes and no: the translated words' first letters
        ("J"/"N" in German, "Д"/"Н" in Russian), else the digits 1 and 2."""
        yes, no = _("Yes")[:1], _("No")[:1]
        if yes.casefold() != no.casefold() and yes.isalpha() and yes.upper() != yes.lower():
            return yes.upper(), no.upper()
        return "1", "2"

    def _keys(self) -> dict[str, int]:
        keys = {"1": 0, "2": 1, "y": 0, "n": 1}
        yes, no = _("Yes")[:1].casefold(), _("No")[:1].casefold()
        if yes != no:
            keys |= {yes: 0, no: 1}
        return keys


class ChoiceRadioInput(_OptionButtons):
    """A few options as numbered radio buttons; the digit picks one."""

    def __init__(self, view: InputView) -> None:
        options = [(oid, f"{i + 1}  {label}") for i, (oid, label) in enumerate(view.options)]
        super().__init__(view, options, horizontal=False)
        for button, (oid, _label) in zip(self.buttons, view.options, strict=True):
            button.setObjectName(f"option_{oid}")
        self.set_value(view.value)


class ChoiceComboInput(InputWidget):
    """Many options in a combo box, nothing chosen at first; typing finds an option."""

    def __init__(self, view: InputView) -> None:
        super().__init__(view)
        self.combo = QComboBox(self)
        for oid, label in view.options:
            self.combo.addItem(label, oid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.retranslate()
        self.set_value(view.value)

    def retranslate(self) -> None:
        self.combo.setPlaceholderText(_("Choose…"))

    def value(self) -> Answer:
        data = self.combo.currentData()
        return str(data) if data is not None else None

    def set_value(self, value: Answer) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value) if value is not None else -1)

    def focus_target(self) -> QWidget:
        return self.combo


class _DateEdit(QDateEdit):
    """A date edit that can be empty: typing or Up/Down on "–" starts from today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(EMPTY_DATE)
        self.setMaximumDate(QDate(2199, 12, 31))

    def is_empty(self) -> bool:
        return self.date() == EMPTY_DATE

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (self.is_empty() or ctrl):
            self.setDate(EMPTY_DATE)
            return
        if self.is_empty() and (event.text().strip() or key in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
            self.setDate(QDate.currentDate())
            self.setCurrentSectionIndex(0)
            self.setSelectedSection(self.sectionAt(0))
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                return  # today is the first step from empty
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab leaves the field (Qt would walk its sections; Left/Right do that)."""
        return QWidget.focusNextPrevChild(self, next)

    def mousePressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.is_empty():
            self.calendarWidget().setSelectedDate(QDate.currentDate())
        super().mousePressEvent(event)


class DateInput(InputWidget):
    """A date with a calendar popup (Alt+Down or F4 opens it); ISO to the service."""

    def __init__(self, view: InputView) -> None:
        super().__init__(view)
        self.edit = _DateEdit(self)
        self.edit.setObjectName(f"date_{view.id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.retranslate()
        self.set_value(view.value)

    def retranslate(self) -> None:
        self.edit.setDisplayFormat(qt_date_format(ui_language()))
        self.edit.setSpecialValueText("–")
        self.edit.setToolTip(
            _("Type a date or press Alt+Down for the calendar; Ctrl+Delete empties the field.")
        )

    def value(self) -> Answer:
        if self.edit.is_empty():
            return None
        return self.edit.date().toString(Qt.DateFormat.ISODate)

    def set_value(self, value: Answer) -> None:
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
            if day is not None:
                self.edit.setDate(QDate(day.year, day.month, day.day))
                return
        self.edit.setDate(EMPTY_DATE)

    def focus_target(self) -> QWidget:
        return self.edit


class AmountInput(InputWidget):
    """An amount such as 24.50 (a decimal comma is accepted)."""

    PATTERN = r"\d{0,9}([.,]\d{0,2})?"

    def __init__(self, view: InputView) -> None:
        super().__init__(view)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"amount_{view.id}")
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(self.PATTERN), self))
        self.edit.setMaximumWidth(200)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 0, Qt.AlignmentFlag.AlignLeft)
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        self.retranslate()
        self.set_value(view.value)

    def retranslate(self) -> None:
        self.edit.setPlaceholderText("0.00")

    def value(self) -> Answer:
        text = self.edit.text().strip().replace(",", ".")
        return text or None

    def set_value(self, value: Answer) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def focus_target(self) -> QWidget:
        return self.edit


class TextInput(InputWidget):
    """Free text over a few lines; Tab moves to the next field."""

    def __init__(self, view: InputView) -> None:
        super().__init__(view)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName(f"text_{view.id}")
        self.edit.setTabChangesFocus(True)
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(line * 3 + 16)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(self.changed.emit)
        self.set_value(view.value)

    def value(self) -> Answer:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Answer) -> None:
        self.edit.setPlainText(value if isinstance(value, str) else "")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.edit.setFocusPolicy(
            Qt.FocusPolicy.NoFocus if read_only else Qt.FocusPolicy.StrongFocus
        )

    def focus_target(self) -> QWidget:
        return self.edit


def make_input(view: InputView) -> InputWidget:
    """The widget for ``view``'s kind, showing its recorded answer or draft."""
    if view.kind == "yes_no":
        return YesNoInput(view)
    if view.kind == "choice":
        if len(view.options) > MAX_RADIO_OPTIONS:
            return ChoiceComboInput(view)
        return ChoiceRadioInput(view)
    if view.kind == "date":
        return DateInput(view)
    if view.kind == "amount":
        return AmountInput(view)
    return TextInput(view)


__all__ = [
    "MAX_RADIO_OPTIONS",
    "AmountInput",
    "ChoiceComboInput",
    "ChoiceRadioInput",
    "DateInput",
    "InputWidget",
    "TextInput",
    "YesNoInput",
    "make_input",
    "qt_date_format",
]
