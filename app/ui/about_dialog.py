"""Help > About: version, build date, rule set in force, and the licences of what ships."""

from __future__ import annotations

from html import escape

from app import APP_NAME, __version__
from app.diagnostics import build_info, build_text, font_licences, ruleset_text
from app.i18n import _
from app.ui.common import app_icon
from app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)


class AboutDialog(QDialog):
    """What is installed: for the agent telling IT, and the licences the program must show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_("About {app}").format(app=APP_NAME))
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        self.facts = QLabel(self._facts_html())
        self.facts.setObjectName("aboutFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(_selectable())
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.facts, 1)
        self.licences = QLabel(self._licences_html())
        self.licences.setObjectName("aboutLicences")
        self.licences.setWordWrap(True)
        self.licences.setTextInteractionFlags(_selectable())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.licences)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(560, 480)

    @staticmethod
    def _facts_html() -> str:
        rows = [
            (_("Version"), __version__),
            (_("Build"), build_text()),
            (_("Rule set"), ruleset_text()),
        ]
        lines = "".join(
            f"<tr><td>{escape(k)}:&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows
        )
        return (
            f"<b>{escape(APP_NAME)}</b><br>"
            f"{escape(_('Guided customer processes for call-centre agents.'))}"
            f"<table>{lines}</table>"
        )

    @staticmethod
    def _licences_html() -> str:
        fonts = "".join(
            f"<tr><td>{escape(files)}</td><td>{escape(licence)}</td></tr>"
            for files, licence in font_licences()
        )
        libraries = "".join(
            f"<tr><td>{escape(lib.name)}</td><td>{escape(lib.version)}</td>"
            f"<td>{escape(lib.licence)}</td></tr>"
            for lib in build_info().libraries
        )
        return (
            f"<h4>{escape(_('Fonts'))}</h4><table cellspacing='4'>{fonts}</table>"
            f"<h4>{escape(_('Libraries'))}</h4><table cellspacing='4'>{libraries}</table>"
        )


def _selectable() -> Qt.TextInteractionFlag:
    return Qt.TextInteractionFlag.TextSelectableByMouse
