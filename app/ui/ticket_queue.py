"""The ticket queue: the partner's open tickets, and everybody else's view of them.

A table of the tickets not closed (:func:`app.services.tickets.ticket_queue`),
overdue first and marked, then by due date; "Overdue only" narrows it, and a
user who sees every partner's tickets can choose one partner. Selecting a
ticket shows it: what is asked, the customer's context the partner may see,
the case's facts behind the question and the answers so far. A partner's
login gets an answer form below: the feedback text and, for a ticket that
asks for agreement (the stage-3 decision), Agree / Disagree with neither
chosen; Send stays disabled until the answer is complete. Sending records the
answer in the background, updates the row's status and tells every screen
(:mod:`app.ui.changes`), so the customer's history and to-do list follow.

Keys: Enter on a row answers it (a partner) or opens the customer (everybody
else); Ctrl+Enter in the answer sends it; F5 reloads; Escape closes.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, format_date, format_datetime, ngettext
from app.services.tickets import (
    ANSWER_MAX_LENGTH,
    QUEUE_LIMIT,
    TicketDetail,
    TicketRow,
    answer_ticket,
    ticket_detail,
)
from app.ui.changes import Changes, on_changes
from app.ui.common import (
    add_keys,
    bind_retranslate,
    hint_label,
    list_status,
    row_table,
    std_icon,
    with_overdue,
)
from app.ui.customer_view import verdict_words
from app.ui.latest import Latest
from app.ui.qt import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QStyle,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.ticket_table import (
    REASON_COLUMN,
    SUBJECT_COLUMN,
    QueueData,
    TicketQueueModel,
    load_queue,
)
from app.ui.timeline_delegate import local_time
from app.ui.worker import Op, describe_error, show_error

if TYPE_CHECKING:
    from app.store.db import Database


class TicketQueueWindow(QWidget):
    """The queue, one ticket's detail and, for a partner, the answer form."""

    #: The customer id of the ticket whose customer the user wants to open.
    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("ticketQueueWindow")
        self.db: Database | None = None
        self.today: date | None = None
        self.answers = False
        self.detail: TicketDetail | None = None
        self._loads = Latest()
        self._details = Latest()
        self._state: tuple[str, str] = ("idle", "")
        self._sending = False
        #: The ticket whose detail is shown or being loaded.
        self._wanted: object = None

        # -- filters ------------------------------------------------------------------
        self.overdue_only = QPushButton(self)
        self.overdue_only.setObjectName("ticketOverdueOnly")
        self.overdue_only.setCheckable(True)
        self.overdue_only.toggled.connect(lambda _checked: self.reload())
        self.partner_label = QLabel(self)
        self.partner = QComboBox(self)
        self.partner.setObjectName("ticketPartner")
        self.partner_label.setBuddy(self.partner)
        self.partner.currentIndexChanged.connect(lambda _i: self.reload())
        self.partner_label.hide()
        self.partner.hide()

        # -- the table ----------------------------------------------------------------
        self.model = TicketQueueModel(self)
        self.model.warning = std_icon(self, QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.table = row_table(self, self.model, "ticketTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SUBJECT_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(REASON_COLUMN, 220)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(self._activated)
        self.status = hint_label()
        self.status.setObjectName("ticketStatus")

        # -- the detail ---------------------------------------------------------------
        self.heading = QLabel(self)
        self.heading.setObjectName("ticketHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.context = QLabel(self)
        self.context.setObjectName("ticketContext")
        self.context.setWordWrap(True)
        self.context.setTextFormat(Qt.TextFormat.PlainText)
        self.context.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("ticketBody")
        self.body.setReadOnly(True)
        self.body.setTabChangesFocus(True)
        self.body.setMaximumHeight(220)
        self.answers_label = QLabel(self)
        self.answers_label.setObjectName("ticketAnswers")
        self.answers_label.setWordWrap(True)
        self.answers_label.setTextFormat(Qt.TextFormat.PlainText)
        self.answers_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_customer = QPushButton(self)
        self.open_customer.setObjectName("ticketOpenCustomer")
        self.open_customer.clicked.connect(self._open_customer)

        # -- the answer form ----------------------------------------------------------
        self.form = QGroupBox(self)
        self.form.setObjectName("ticketAnswerForm")
        self.text = QPlainTextEdit(self.form)
        self.text.setObjectName("ticketAnswerText")
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(140)
        self.text.textChanged.connect(self._update_send)
        self.text_label = QLabel(self.form)
        self.text_label.setBuddy(self.text)
        self.agree = QRadioButton(self.form)
        self.agree.setObjectName("ticketAgree")
        self.disagree = QRadioButton(self.form)
        self.disagree.setObjectName("ticketDisagree")
        self.choice = QButtonGroup(self.form)
        self.choice.addButton(self.agree)
        self.choice.addButton(self.disagree)
        self.choice.buttonToggled.connect(lambda *_args: self._update_send())
        self.choice_label = QLabel(self.form)
        self.send = QPushButton(self.form)
        self.send.setObjectName("ticketSend")
        self.send.setDefault(True)
        self.send.clicked.connect(self.send_answer)
        self.form_hint = hint_label()
        self.form_hint.setObjectName("ticketAnswerHint")
        choices = QHBoxLayout()
        choices.addWidget(self.agree)
        choices.addWidget(self.disagree)
        choices.addStretch(1)
        form_layout = QFormLayout(self.form)
        form_layout.addRow(self.text_label, self.text)
        form_layout.addRow(self.choice_label, choices)
        buttons = QHBoxLayout()
        buttons.addWidget(self.form_hint, 1)
        buttons.addWidget(self.send)
        form_layout.addRow(buttons)
        self.form.hide()

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.context)
        detail_layout.addWidget(self.body, 1)
        detail_layout.addWidget(self.answers_label)
        detail_layout.addWidget(self.open_customer, 0, Qt.AlignmentFlag.AlignLeft)
        detail_layout.addWidget(self.form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)
        self.detail_pane = scroll
        self.detail_pane.setObjectName("ticketDetail")

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.overdue_only)
        top.addStretch(1)
        top.addWidget(self.partner_label)
        top.addWidget(self.partner)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.status)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(self.detail_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        QWidget.setTabOrder(self.overdue_only, self.partner)
        QWidget.setTabOrder(self.partner, self.table)
        QWidget.setTabOrder(self.table, self.body)
        QWidget.setTabOrder(self.body, self.open_customer)
        QWidget.setTabOrder(self.open_customer, self.text)
        QWidget.setTabOrder(self.text, self.agree)
        QWidget.setTabOrder(self.agree, self.disagree)
        QWidget.setTabOrder(self.disagree, self.send)
        add_keys(self, {"F5": self.reload, "Esc": self.close})
        add_keys(self.text, dict.fromkeys(("Ctrl+Return", "Ctrl+Enter"), self.send_answer))
        self.resize(1280, 760)
        self._show_detail(None)
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    # -- loading ------------------------------------------------------------------------

    def set_database(self, db: Database, today: date) -> None:
        """Work on ``db`` as of ``today`` and load the queue."""
        if db is not self.db:
            self.model.set_rows([])
            self._show_detail(None)
        self.db, self.today = db, today
        self.reload()

    def reload(self) -> None:
        if self.db is None:
            return
        self._set_state("loading")
        code = self.partner.currentData() if self.partner.isVisible() else None
        Op(self, load_queue, self.db, self.today, code, self.overdue_only.isChecked()).latest(
            self._loads
        ).success(self._loaded).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._set_state("error", describe_error(exc))

    def _loaded(self, data: QueueData) -> None:
        chosen = self.model.row_at(self.table.currentIndex().row())
        self.answers = data.answers
        self._set_partners(data.partners)
        self.model.set_rows(data.rows)
        at = next((i for i, r in enumerate(data.rows) if chosen and r.id == chosen.id), 0)
        if data.rows:
            self.table.setCurrentIndex(self.model.index(at, 0))
        else:
            self._show_detail(None)
        self._set_state("loaded")

    def _set_partners(self, partners: list[tuple[str, str]]) -> None:
        shown = bool(partners)
        self.partner_label.setVisible(shown)
        self.partner.setVisible(shown)
        current = self.partner.currentData()
        codes = [None, *(code for code, _name in partners)]
        if [self.partner.itemData(i) for i in range(self.partner.count())] == codes:
            return
        self.partner.blockSignals(True)
        self.partner.clear()
        self.partner.addItem(_("All partners"), None)
        for code, name in partners:
            self.partner.addItem(f"{name} ({code})", code)
        at = self.partner.findData(current)
        self.partner.setCurrentIndex(max(at, 0))
        self.partner.blockSignals(False)

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        if initiator is self or not self.isVisible():
            return
        if changes.history or changes.cases:
            self.reload()

    # -- one ticket ---------------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is None or self.db is None:
            self._show_detail(None)
            return
        if self._wanted == row.id:
            return
        self._wanted = row.id
        self._clear_form()  # an answer belongs to the ticket it was written for
        self.heading.setText(row.subject)
        self.context.setText(_("Loading…"))
        Op(self, ticket_detail, self.db, row.id, self.today).latest(self._details).success(
            self._show_detail
        ).failure(lambda exc: self.context.setText(describe_error(exc))).run()

    def _show_detail(self, detail: TicketDetail | None) -> None:
        self.detail = detail
        self.open_customer.setEnabled(detail is not None)
        if detail is None:
            self._wanted = None
            self.heading.setText(_("Choose a ticket to see it."))
            self.context.clear()
            self.body.clear()
            self.answers_label.clear()
            self.form.hide()
            return
        row = detail.row
        self.heading.setText(f"{row.reason}: {row.subject}")
        lines = [
            _("Customer {number}: {name}").format(number=row.customer_no, name=row.customer_name),
            " · ".join(p for p in (detail.msisdn, detail.language, detail.tariff or "") if p),
            _("Partner: {partner}").format(partner=f"{row.partner_name} ({row.partner_code})"),
            self._due_words(row),
        ]
        lines += [f"{label}: {value}" for label, value in detail.facts]
        self.context.setText("\n".join(lines))
        self.body.setPlainText(detail.body)
        if detail.answers:
            answers = [
                _("{when}, {author}: {verdict}{text}").format(
                    when=format_datetime(local_time(a.created_at)),
                    author=a.author,
                    verdict=verdict_words(a.agrees),
                    text=a.text,
                )
                for a in detail.answers
            ]
            self.answers_label.setText(_("Answers:") + "\n" + "\n".join(answers))
        else:
            self.answers_label.setText(_("No answer yet."))
        can_answer = self.answers and row.status.value != "closed"
        self.form.setVisible(can_answer)
        self.choice_label.setVisible(row.asks_agreement)
        self.agree.setVisible(row.asks_agreement)
        self.disagree.setVisible(row.asks_agreement)
        self._update_send()

    def _due_words(self, row: TicketRow) -> str:
        status = _("Status: {status}").format(status=row.status_words)
        if row.due is None:
            return status
        if row.overdue:
            due = _("answer was due {date}: overdue").format(date=format_date(row.due))
        else:
            due = _("answer due {date}").format(date=format_date(row.due))
        return f"{status} · {due}"

    def _clear_form(self) -> None:
        self.text.clear()
        self.choice.setExclusive(False)
        self.agree.setChecked(False)
        self.disagree.setChecked(False)
        self.choice.setExclusive(True)

    # -- answering ----------------------------------------------------------------------

    def _agrees(self) -> bool | None:
        if self.agree.isChecked():
            return True
        if self.disagree.isChecked():
            return False
        return None

    def _problem(self) -> str | None:
        """What keeps the answer from being sent, in words (None: it can be sent)."""
        if self.detail is None:
            return _("Choose a ticket first.")
        text = self.text.toPlainText().strip()
        if not text:
            return _("Write the answer.")
        if len(text) > ANSWER_MAX_LENGTH:
            return _("The answer has {length} characters; at most {limit} are allowed.").format(
                length=len(text), limit=ANSWER_MAX_LENGTH
            )
        if self.detail.row.asks_agreement and self._agrees() is None:
            return _("Choose Agree or Disagree.")
        return None

    def _update_send(self) -> None:
        problem = self._problem()
        self.send.setEnabled(problem is None and not self._sending)
        self.form_hint.setText(problem or "")

    def send_answer(self) -> None:
        """Send the answer (when complete) in the background."""
        if self.db is None or self.detail is None or self._problem() is not None or self._sending:
            return
        detail = self.detail
        agrees = self._agrees() if detail.row.asks_agreement else None
        self._sending = True
        self._update_send()
        Op(self, answer_ticket, self.db, detail.row.id, self.text.toPlainText(), agrees).changes(
            Changes.of([detail.row.customer_id], history=True, cases=True)
        ).success(self._answered).failure(self._answer_failed).finished(self._sent).run()

    def _sent(self) -> None:
        self._sending = False
        self._update_send()

    def _answered(self, detail: TicketDetail) -> None:
        self.model.replace_row(detail.row)
        self._clear_form()
        self._show_detail(detail)
        self.status.setText(
            _("Answer sent: the ticket is {status}.").format(status=detail.row.status_words)
        )
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _answer_failed(self, exc: BaseException) -> None:
        show_error(self, exc, _("The answer was not sent"))

    # -- keys and words -----------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            return
        if self.answers and self.form.isVisible():
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.open_requested.emit(row.customer_id)

    def _open_customer(self) -> None:
        if self.detail is not None:
            self.open_requested.emit(self.detail.row.customer_id)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Tickets to partners"))
        self.overdue_only.setText(_("&Overdue only"))
        self.overdue_only.setToolTip(_("Show only the open tickets past their answer date"))
        self.partner_label.setText(_("&Partner:"))
        if self.partner.count():
            self.partner.setItemText(0, _("All partners"))
        self.table.setAccessibleName(_("Tickets"))
        self.open_customer.setText(_("Open the &customer"))
        self.form.setTitle(_("Your answer"))
        self.text_label.setText(_("&Feedback:"))
        self.text.setPlaceholderText(_("What the partner did or says about it"))
        self.choice_label.setText(_("The decision:"))
        self.agree.setText(_("&Agree"))
        self.disagree.setText(_("&Disagree"))
        self.send.setText(_("&Send"))
        self.send.setToolTip(_("Send the answer (Ctrl+Enter)"))
        self.model.retranslate()
        self._show_detail(self.detail)
        self._set_state(*self._state)

    def _set_state(self, state: str, message: str = "") -> None:
        self._state = (state, message)
        self.status.setText(list_status(state, message, self._count_words))

    def _count_words(self) -> str:
        count = len(self.model.rows)
        text = ngettext("{count} ticket", "{count} tickets", count).format(count=count)
        text = with_overdue(text, sum(1 for r in self.model.rows if r.overdue))
        if count >= QUEUE_LIMIT:
            text += " · " + _("only the first {count} are shown").format(count=QUEUE_LIMIT)
        return text
