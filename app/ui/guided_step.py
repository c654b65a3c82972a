"""The body of one guided step: say, do, inputs, decision, why, summary.

:class:`StepBody` builds the widgets for a :class:`RunView`; the guided panel
shows them and reads the answers from :attr:`StepBody.inputs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import _, ends_in_remark, field_name, language_name, ui_language
from app.ui.common import chip, hint_label
from app.ui.input_widgets import InputWidget, make_input
from app.ui.qt import (
    QFont,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    Qt,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.services.run_view import InputView, RunView

SAY_POINT_SIZE = 15

STEP_STYLE = """
QFrame#sayFrame { background: #fbfaf4; border: 1px solid #d9d2b8; border-radius: 6px; }
QLabel#sayText { color: #1f2933; }
QLabel#stepTitle { color: #1f2933; }
QLabel#statusLine { color: #1b6b3a; }
QLabel[role="ruleId"] { color: #7b8794; }
"""


def text_label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def scaled(widget: QWidget, factor: float = 1.0, bold: bool = False, points: float = 0) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(points or font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def input_label(item: InputView, locked: bool) -> str:
    """An input's label, saying when the answer may be left empty.

    A label that ends in a remark gets "optional" inside it ("Customer's concern
    (a few words; optional)") rather than a second pair of parentheses; an
    optional date's remark already says what an empty date means ("Decision
    date (empty = today)").
    """
    label = item.label
    if item.required or locked:
        return label
    if not ends_in_remark(label):
        return label + _(" (optional)")
    if item.kind == "date":
        return label
    stripped = label.rstrip()
    return stripped[:-1] + _("; optional") + stripped[-1]


class StepBody(QWidget):
    """The widgets of one step; ``inputs`` and ``errors`` by input id."""

    def __init__(
        self, view: RunView, session_log: list[tuple[str, tuple[str, ...]]] | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("guidedBody")
        self.inputs: dict[str, InputWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.session_log = session_log or []
        self._build(view)

    def _build(self, view: RunView) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 4, 8)
        layout.setSpacing(12)
        title_row = QHBoxLayout()
        title = text_label(view.step_title, "stepTitle")
        scaled(title, 1.35, bold=True)
        title_row.addWidget(title, 1)
        if view.locked and not view.finished:
            title_row.addWidget(chip(_("Recorded"), "muted"), 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(title_row)
        if view.finished:
            layout.addWidget(self._summary(view))
        if view.locked and not view.finished:
            note = hint_label(
                _("This step is recorded; its answers cannot change any more. Next goes on.")
            )
            note.setObjectName("lockedNote")
            layout.addWidget(note)
        if view.say_text:
            layout.addWidget(self._say_box(view))
        if view.do_text:
            do_box = QGroupBox(_("Do"))
            do_box.setObjectName("doBox")
            box_layout = QVBoxLayout(do_box)
            box_layout.addWidget(text_label(view.do_text, "doText"))
            layout.addWidget(do_box)
        if view.inputs:
            layout.addWidget(self._inputs_box(view))
        if view.decision:
            layout.addWidget(self._decision_box(view))
        if view.reasons:
            layout.addWidget(self._why_box(view))
        layout.addStretch(1)

    def _say_box(self, view: RunView) -> QWidget:
        box = QGroupBox(
            _("Say ({language})").format(language=language_name(view.say_language, ui_language()))
        )
        box.setObjectName("sayBox")
        frame = QFrame(box)
        frame.setObjectName("sayFrame")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(12, 10, 12, 10)
        text = text_label(view.say_text, "sayText")
        scaled(text, points=SAY_POINT_SIZE)
        inner.addWidget(text)
        outer = QVBoxLayout(box)
        outer.addWidget(frame)
        return box

    def _inputs_box(self, view: RunView) -> QWidget:
        box = QGroupBox(_("Answers") if not view.locked else _("Answers (recorded)"))
        box.setObjectName("inputsBox")
        layout = QVBoxLayout(box)
        layout.setSpacing(4)
        for item in view.inputs:
            widget = make_input(item)
            widget.set_read_only(view.locked)
            label = QLabel(input_label(item, view.locked))
            label.setWordWrap(True)
            label.setBuddy(widget.focus_target())
            scaled(label, bold=True)
            error = text_label(name=f"error_{item.id}")
            error.setProperty("role", "error")
            error.hide()
            widget.changed.connect(lambda error=error: error.hide())
            layout.addWidget(label)
            layout.addWidget(widget)
            layout.addWidget(error)
            layout.addSpacing(6)
            self.inputs[item.id] = widget
            self.errors[item.id] = error
        return box

    def _decision_box(self, view: RunView) -> QWidget:
        box = QGroupBox(_("Decision"))
        box.setObjectName("decisionBox")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for fact in view.decision:
            value = text_label(fact.value, f"fact_{fact.key}")
            scaled(value, bold=True)
            form.addRow(_("{label}:").format(label=field_name(fact.label)), value)
        return box

    def _why_box(self, view: RunView) -> QWidget:
        box = QGroupBox(_("Why"))
        box.setObjectName("whyBox")
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 1)
        grid.setVerticalSpacing(6)
        for row, (reason, rule_id) in enumerate(zip(view.reasons, view.rule_ids, strict=False)):
            grid.addWidget(text_label(f"•  {reason}", f"reason_{row}"), row, 0)
            rule = text_label(rule_id, f"rule_{row}")
            rule.setProperty("role", "ruleId")
            scaled(rule, 0.85)
            grid.addWidget(rule, row, 1, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        return box

    def _summary(self, view: RunView) -> QWidget:
        box = QGroupBox(_("Summary"))
        box.setObjectName("summaryBox")
        layout = QVBoxLayout(box)
        layout.addWidget(
            text_label(
                _("“{flow}” is finished. Every step is in the customer's history.").format(
                    flow=view.flow_title
                ),
                "summaryText",
            )
        )
        for title, recorded in self.session_log:
            things = " · ".join(recorded)
            layout.addWidget(text_label(f"✓ {title}" + (f" — {things}" if things else "")))
        return box
