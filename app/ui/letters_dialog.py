"""Letters in the window: the open customer's letters, and issuing a month's letters.

:class:`LettersDialog` lists the customer's letters (requested and issued),
previews the selected one inside the window (PDF pages rendered to images by
PDFium, in a scroll area with zoom), issues a requested letter, and saves or
prints an issued one. An issued letter is always shown, saved and printed
from its archived bytes, checked against their SHA-256.
Issuing a whole month's letters is :mod:`app.ui.letters_batch`. All service
calls and all rendering run off the GUI thread (:class:`~app.ui.worker.Op`).
Issuing reports what changed (:mod:`app.ui.changes`), so the customer's
screens refresh themselves; the dialog lists the letters again when another
operation changes them. It needs no main window: :func:`letters_action` makes
the "Letters…" action for any window that says which customer is open.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Printing, file dialogs and images beyond app.ui.qt's set.
from PySide6.QtGui import QImage, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog

from app.config import current_user_name
from app.i18n import N_, _, format_datetime, language_name, ngettext
from app.services.letters import (
    DOCUMENTS,
    LetterError,
    LetterInfo,
    document_name,
    issue_letter,
    letters_of_customer,
    open_issued,
    preview_requested,
    save_issued_as,
)
from app.ui.changes import Changes, on_changes
from app.ui.common import bind_retranslate, hint_label, say
from app.ui.latest import Latest
from app.ui.letters_actions import letters_action
from app.ui.pdf_pages import print_pdf, render_pages
from app.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPixmap,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import RowTableModel
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.store.db import Database

STATUS_NAMES = {"requested": N_("Requested"), "issued": N_("Issued")}
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)


class LettersModel(RowTableModel[LetterInfo]):
    """The customer's letters: document, language, status, date."""

    columns = (N_("Letter"), N_("Language"), N_("Status"), N_("Date"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[LetterInfo] = []

    @property
    def letters(self) -> list[LetterInfo]:
        """The letters listed."""
        return self.rows

    def cell(self, letter: LetterInfo, column: int, role: int) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if column == 0:
            return document_name(letter.document)
        if column == 1:
            return language_name(letter.language)
        if column == 2:
            return _(STATUS_NAMES.get(letter.status, letter.status))
        return format_datetime(letter.issued_at or letter.requested_at)


class LettersDialog(QDialog):
    """The open customer's letters: preview, issue, save as, print."""

    #: A letter was issued (its :class:`LetterInfo`).
    issued = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        customer_id: uuid.UUID,
        customer_name: str,
        author: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lettersDialog")
        self._db, self._customer_id, self._customer_name = db, customer_id, customer_name
        self._author = author or current_user_name()
        self.current: LetterInfo | None = None
        self.pdf: bytes | None = None
        self.pages: list[QImage] = []
        self._zoom = ZOOMS.index(0.75)  # an A4 page fits the preview's width
        #: The preview of the letter chosen (choosing another drops the old one's).
        self._previews = Latest()

        self.model = LettersModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("lettersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # The letter's name takes what is left (elided, full in the tooltip); language,
        # status and date always fit, so the date is never out of view.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.empty = hint_label()

        self.page_box = QWidget()
        self.page_layout = QVBoxLayout(self.page_box)
        self.page_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_layout.setSpacing(12)
        self.preview = QScrollArea(self)
        self.preview.setObjectName("letterPreview")
        self.preview.setWidget(self.page_box)
        self.preview.setWidgetResizable(True)
        self.preview.setStyleSheet("QScrollArea { background: #6b7280; }")
        self.page_box.setStyleSheet("background: #6b7280;")

        self.zoom_out, self.zoom_in = QPushButton(self), QPushButton(self)
        self.zoom_out.setObjectName("zoomOut")
        self.zoom_in.setObjectName("zoomIn")
        self.zoom_out.clicked.connect(lambda: self.set_zoom(self._zoom - 1))
        self.zoom_in.clicked.connect(lambda: self.set_zoom(self._zoom + 1))
        self.zoom_label = QLabel(self)
        self.status = hint_label()
        self.status.setObjectName("letterStatus")
        self.issue_button = QPushButton(self)
        self.issue_button.setObjectName("issueButton")
        self.issue_button.clicked.connect(self.issue)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save_as)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_letter)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.empty)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        for widget in (self.zoom_out, self.zoom_label, self.zoom_in):
            tools.addWidget(widget)
        tools.addStretch(1)
        for widget in (self.issue_button, self.save_button, self.print_button):
            tools.addWidget(widget)
        right_layout.addLayout(tools)
        right_layout.addWidget(self.preview, 1)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 680])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.resize(1100, 760)

        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)
        self._update_buttons()
        self.reload()

    # -- words ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_("Letters – {name}").format(name=self._customer_name))
        self.zoom_out.setText(_("Zoom out"))
        self.zoom_in.setText(_("Zoom in"))
        self.zoom_label.setText(f"{round(ZOOMS[self._zoom] * 100)} %")
        self.issue_button.setText(_("Issue"))
        self.issue_button.setToolTip(_("Issue the letter: archive it and record it in the history"))
        self.save_button.setText(_("Save as…"))
        self.print_button.setText(_("Print…"))
        self.empty.setText(_("This customer has no letters yet."))
        self.model.retranslate()
        self._reselect()

    # -- the list -----------------------------------------------------------------------

    def reload(self, select: uuid.UUID | None = None) -> None:
        keep = select or (self.current.id if self.current else None)
        Op(self, letters_of_customer, self._db, self._customer_id).success(
            lambda letters: self._show_letters(letters, keep)
        ).failure(self._failed).run()

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        """Another operation changed this customer's letters (a batch, a guided step)."""
        if changes.letters and changes.touches(self._customer_id) and initiator is not self:
            self.reload()

    def _show_letters(self, letters: list[LetterInfo], select: uuid.UUID | None) -> None:
        self.model.set_rows(letters)
        self.empty.setVisible(not letters)
        rows = [i for i, letter in enumerate(letters) if letter.id == select]
        if letters:
            self.table.selectRow(rows[0] if rows else 0)
        else:
            self._show(None)

    def _reselect(self) -> None:
        if self.current is not None:
            for row, letter in enumerate(self.model.letters):
                if letter.id == self.current.id:
                    self.table.selectRow(row)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        letters = self.model.letters
        letter = (
            letters[current.row()] if current.isValid() and current.row() < len(letters) else None
        )
        if letter != self.current:
            self._show(letter)

    # -- the preview ---------------------------------------------------------------------

    def _show(self, letter: LetterInfo | None) -> None:
        self.current, self.pdf, self.pages = letter, None, []
        self._set_pages([])
        self._update_buttons()
        if letter is None:
            self._previews.drop()
            self._say("")
            return
        self._say(_("Loading the letter…"))
        Op(self, self._fetch, letter, self._scale()).latest(self._previews).success(
            self._fetched
        ).failure(self._failed).run()

    def _fetch(self, letter: LetterInfo, scale: float) -> tuple[bytes, list[QImage]]:
        """Worker thread: the archived PDF (or what issuing would give) and its pages."""
        if letter.status == "issued":
            pdf = open_issued(self._db, letter.id)
        else:
            pdf = preview_requested(self._db, letter.id, self._author)
        return pdf, render_pages(pdf, scale)

    def _fetched(self, result: tuple[bytes, list[QImage]]) -> None:
        if self.current is None:
            return
        self.pdf, self.pages = result
        self._set_pages(self.pages)
        self._update_buttons()
        if self.current.status == "issued":
            self._say(
                _("Issued {when} by {who}; shown as archived (SHA-256 checked).").format(
                    when=format_datetime(self.current.issued_at) if self.current.issued_at else "",
                    who=self.current.issued_by or "",
                )
            )
        else:
            self._say(_("Preview: this is the letter as it will be issued today."))

    def _scale(self) -> float:
        """Pixels per PDF point at the current zoom (96 dpi at 100 %, sharp on HiDPI)."""
        return ZOOMS[self._zoom] * 96 / 72 * self.devicePixelRatioF()

    def set_zoom(self, step: int) -> None:
        step = max(0, min(len(ZOOMS) - 1, step))
        if step == self._zoom:
            return
        self._zoom = step
        self.zoom_label.setText(f"{round(ZOOMS[step] * 100)} %")
        self._update_buttons()
        if self.pdf is not None:
            Op(self, render_pages, self.pdf, self._scale()).latest(
                self._previews, join=True
            ).success(self._rezoomed).run()

    def _rezoomed(self, pages: list[QImage]) -> None:
        self.pages = pages
        self._set_pages(pages)

    def _set_pages(self, pages: list[QImage]) -> None:
        while self.page_layout.count():
            item = self.page_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        ratio = self.devicePixelRatioF()
        for number, image in enumerate(pages, start=1):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label = QLabel(self.page_box)
            label.setObjectName(f"page{number}")
            label.setPixmap(pixmap)
            label.setStyleSheet("background: white; border: 1px solid #374151;")
            self.page_layout.addWidget(label)

    def _update_buttons(self) -> None:
        letter = self.current
        # Only a letter whose preview was made can be issued: what fails to preview
        # would fail to issue.
        self.issue_button.setEnabled(
            letter is not None and letter.status == "requested" and self.pdf is not None
        )
        ready = letter is not None and letter.status == "issued" and self.pdf is not None
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        self.zoom_out.setEnabled(self._zoom > 0)
        self.zoom_in.setEnabled(self._zoom < len(ZOOMS) - 1)

    # -- actions ---------------------------------------------------------------------------

    def issue(self) -> None:
        letter = self.current
        if letter is None or letter.status != "requested":
            return
        self.issue_button.setEnabled(False)
        self._say(_("Issuing the letter…"))
        Op(self, issue_letter, self._db, letter.id, self._author).success(self._on_issued).failure(
            self._failed
        ).changes(lambda info: Changes.of([info.customer_id], letters=True, history=True)).run()

    def _on_issued(self, info: LetterInfo) -> None:
        self.current = None  # shown again, now from the archive
        self.issued.emit(info)
        self.reload(select=info.id)

    def save_as(self) -> None:
        letter = self.current
        if letter is None or letter.status != "issued":
            return
        day = (letter.issued_at or letter.requested_at).date().isoformat()
        suggested = Path.home() / f"{letter.document}-{day}.pdf"
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Save letter as"), str(suggested), _("PDF documents (*.pdf)")
        )
        if not target:
            return
        path = Path(target)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        Op(self, save_issued_as, self._db, letter.id, path).success(
            lambda saved: self._say(_("Saved as {path}.").format(path=saved))
        ).failure(self._failed).run()

    def print_letter(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print letter"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Print the shown (archived) letter on ``printer``, A4 to the paper's edge."""
        if self.pdf is None or self.current is None or self.current.status != "issued":
            return
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setDocName(document_name(self.current.document))
        self._say(_("Printing…"))
        Op(self, print_pdf, self.pdf, printer).success(
            lambda pages: self._say(
                ngettext("Printed {n} page.", "Printed {n} pages.", pages).format(n=pages)
            )
        ).failure(self._failed).run()

    def _say(self, text: str, *, error: bool = False, detail: str = "") -> None:
        """Show ``text`` in the status line: red for an error, plain otherwise."""
        say(self.status, text, error)
        self.status.setToolTip(detail)

    def _failed(self, exc: BaseException) -> None:
        detail = exc.detail or "" if isinstance(exc, LetterError) else ""
        self._say(describe_error(exc), error=True, detail=detail)
        self._update_buttons()


def open_letters(
    parent: QWidget | None, db: Database, customer_id: uuid.UUID, customer_name: str
) -> LettersDialog:
    """Show the customer's letters (non-modal, deleted when closed)."""
    dialog = LettersDialog(parent, db, customer_id, customer_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


__all__ = [
    "DOCUMENTS",
    "LettersDialog",
    "LettersModel",
    "document_name",
    "letters_action",
    "open_letters",
]
