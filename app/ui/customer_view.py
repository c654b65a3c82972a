"""The open customer: who they are and what they have, at a glance.

A large header (name, flags, products as chips, number, phone, partner), then
"what to do now" (:class:`TodoPanel`), then four sections: subscription,
device plans, bundles with their end dates, and open cases with their stage;
a fifth, the tickets to the partner with their latest answers, when there are any.
The view is rebuilt from the overview whenever the UI language changes, so
dates and money follow the agent's locale. It loads the overview itself
(:meth:`CustomerView.load`) and loads it again when an operation changes the
shown customer's history, cases or letters (:mod:`app.ui.changes`).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.i18n import (
    _,
    datetime_pattern,
    format_date,
    format_datetime,
    format_decimal,
    format_money,
    language_name,
    ngettext,
    ui_language,
)
from app.services.wording import case_words
from app.ui.changes import Changes, on_changes
from app.ui.common import FlowLayout, bind_retranslate, chip, hint_label, say
from app.ui.labels import process_label, product_label, stage_label
from app.ui.latest import Latest
from app.ui.qt import (
    QFont,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QScrollArea,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.timeline_delegate import local_time
from app.ui.todo_panel import TodoPanel
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.services.customers import CustomerOverview
    from app.store.db import Database

#: The newest tickets the customer view lists, and the latest answers it shows of each.
TICKETS_SHOWN = 5
ANSWERS_SHOWN = 2


def _clear(layout: QLayout) -> None:
    while layout.count():
        child = layout.takeAt(0)
        if child is None:
            break
        widget, inner = child.widget(), child.layout()
        if widget is not None:
            widget.hide()  # gone at once, even before the deferred delete
            widget.deleteLater()
        elif inner is not None:
            _clear(inner)


def _value(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def customer_overview(*args: Any, **kwargs: Any) -> CustomerOverview:
    """The customer's overview, read on the worker (the store loads there first), and
    the playbooks its products, open cases and tickets are worded from: read there too,
    so that the view words them on the GUI thread from the cache (the first customer
    opened would otherwise read them there, with the processes, some 50 ms)."""
    from app.services.customers import customer_overview
    from app.services.playbooks import PlaybookError, load_all, playbook_for

    overview = customer_overview(*args, **kwargs)
    datetime_pattern()  # the language's date formats (babel reads them on first use)
    if overview.tickets:
        load_all()  # a ticket's reason: the title of the flow that opens it, in any playbook
        return overview
    processes = {"fair_use"} if overview.products else set()
    processes.update(case.process for case in overview.open_cases)
    for process in sorted(processes):
        try:
            playbook_for(process)
        except (KeyError, PlaybookError):
            continue  # worded without it; a broken playbook is reported where it is used
    return overview


class CustomerView(QWidget):
    """Empty state, loading state, error state, or one customer's overview."""

    #: The overview of the shown customer was loaded (first or again).
    loaded = Signal(object)
    #: Loading the customer failed (a message for the agent).
    load_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overview: CustomerOverview | None = None
        self.db: Database | None = None
        self.customer_id: uuid.UUID | None = None
        self._loads = Latest()
        #: One column of sections (while the guided panel takes half the room).
        self.compact = False
        self._state = "empty"
        self._message = ""

        self.stack = QStackedWidget(self)
        self.placeholder = hint_label()
        self.placeholder.setObjectName("customerPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.placeholder.font())
        big.setPointSizeF(big.pointSizeF() + 2)
        self.placeholder.setFont(big)
        self.stack.addWidget(self.placeholder)

        self.content = QWidget()
        self.content.setObjectName("customerContent")
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(16, 12, 16, 12)
        self.content_layout.setSpacing(10)
        self.todo = TodoPanel(self.content)
        self.todo.hide()
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.content)
        self.stack.addWidget(self.scroll_area)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    # -- loading ----------------------------------------------------------------------

    def load(self, db: Database, customer_id: uuid.UUID) -> None:
        """Show ``customer_id``: the loading state, then its overview (in the background)."""
        self.db, self.customer_id = db, customer_id
        self.show_loading()
        self._fetch(quiet=False)

    def reload(self) -> None:
        """Load the shown customer again; the old overview stays until the new one is in."""
        if self.db is not None and self.customer_id is not None:
            self._fetch(quiet=True)

    def _fetch(self, quiet: bool) -> None:
        # Only the newest load shows: another customer may have been opened meanwhile.
        Op(self, customer_overview, self.db, self.customer_id).latest(self._loads).success(
            self._loaded
        ).failure(lambda exc: self._failed(exc, quiet)).run()

    def _loaded(self, overview: CustomerOverview) -> None:
        self.show_overview(overview)
        self.loaded.emit(overview)

    def _failed(self, exc: BaseException, quiet: bool) -> None:
        if not quiet:
            self.show_error(describe_error(exc))
            self.load_failed.emit(describe_error(exc))

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if (changes.history or changes.cases or changes.letters) and changes.touches(
            self.customer_id
        ):
            self.reload()

    # -- states -----------------------------------------------------------------------

    def show_empty(self) -> None:
        self._loads.drop()
        self.overview = None
        self.db = self.customer_id = None
        self.todo.clear()
        self._state = "empty"
        self.retranslate()

    def show_loading(self) -> None:
        self._state = "loading"
        self.todo.clear()
        self.retranslate()

    def show_error(self, message: str) -> None:
        self.overview = None
        self.todo.clear()
        self._state = "error"
        self._message = message
        self.retranslate()

    def show_overview(self, overview: CustomerOverview) -> None:
        self.overview = overview
        self._state = "customer"
        self.retranslate()

    def set_compact(self, compact: bool) -> None:
        """Sections in one column (True) or two."""
        if compact != self.compact:
            self.compact = compact
            if self._state == "customer":
                self.retranslate()

    def retranslate(self) -> None:
        if self._state == "customer" and self.overview is not None:
            self._build(self.overview)
            self.stack.setCurrentWidget(self.scroll_area)
            return
        if self._state == "loading":
            text = _("Loading the customer…")
        elif self._state == "error":
            text = self._message
        else:
            text = (
                _("Search for a customer by number, phone number or name.")
                + "\n"
                + _("Press Ctrl+F to search, Enter to open, Escape to come back.")
            )
        say(self.placeholder, text, error=self._state == "error")
        self.stack.setCurrentWidget(self.placeholder)

    # -- building the overview ------------------------------------------------------------

    def _build(self, o: CustomerOverview) -> None:
        self.content_layout.removeWidget(self.todo)  # kept: it loads on its own
        _clear(self.content_layout)
        self.content_layout.addWidget(self._header(o))
        self.content_layout.addWidget(self.todo)
        self.todo.show()
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        boxes: tuple[QGroupBox, ...] = (
            self._subscription_box(o),
            self._cases_box(o),
            self._bundles_box(o),
            self._device_plans_box(o),
        )
        if o.tickets:
            boxes += (self._tickets_box(o),)
        columns = 1 if self.compact else 2
        for i, box in enumerate(boxes):
            grid.addWidget(box, i // columns, i % columns)
        for column in range(columns):
            grid.setColumnStretch(column, 1)
        self.content_layout.addLayout(grid)
        self.content_layout.addStretch(1)

    def _header(self, o: CustomerOverview) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 4)
        name = _value(o.name)
        name.setObjectName("customerName")
        font = QFont(name.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        name.setFont(font)
        layout.addWidget(name)

        # Lines break between the parts (never inside a number); a part moves with its dot.
        details = _value(
            "\u2002 ·\u00a0".join(
                (
                    _("Customer {number}").format(number=o.customer_no).replace(" ", "\u00a0"),
                    o.msisdn_display.replace(" ", "\u00a0"),
                    _("Partner: {partner}").format(partner=o.partner.name),
                )
            )
        )
        details.setObjectName("customerDetails")
        bigger = QFont(details.font())
        bigger.setPointSizeF(bigger.pointSizeF() * 1.15)
        details.setFont(bigger)
        layout.addWidget(details)

        chips = FlowLayout(spacing=6)
        if o.vip:
            tip = _("VIP since {date}").format(date=format_date(o.vip_rated)) if o.vip_rated else ""
            chips.addWidget(chip(_("VIP"), "vip", tip))
        chips.addWidget(
            chip(
                _("Value {value} of 4").format(value=o.customer_value),
                "muted",
                _("Customer value (1 = lowest, 4 = highest)"),
            )
        )
        chips.addWidget(
            chip(
                language_name(o.language, ui_language()),
                "muted",
                _("The customer's language: scripts, SMS and letters use it"),
            )
        )
        for code in o.products:
            chips.addWidget(chip(product_label(code)))
        layout.addLayout(chips)
        if o.activation_date:
            layout.addWidget(
                _value(_("Customer since {date}").format(date=format_date(o.activation_date)))
            )
        return box

    def _group(self, title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        box.setObjectName(name)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        return box, form

    def _money(self, amount: Decimal, o: CustomerOverview) -> str:
        return format_money(amount, o.currency)

    def _subscription_box(self, o: CustomerOverview) -> QGroupBox:
        box, form = self._group(_("Subscription"), "subscriptionBox")
        s = o.subscription
        if s is None:
            form.addRow(hint_label(_("No subscription.")))
            return box
        form.addRow(_("Tariff:"), _value(s.tariff))
        form.addRow(
            _("Monthly fee:"),
            _value(_("{amount} per month").format(amount=self._money(s.monthly_fee, o))),
        )
        if s.aio_discount:
            form.addRow(_("AiO discount:"), _value(self._money(s.aio_discount, o)))
        allowances = []
        if s.data_mb is not None:
            allowances.append(
                _("{gb} GB data").format(gb=format_decimal(Decimal(s.data_mb) / 1000))
            )
        if s.minutes is not None:
            allowances.append(_("{minutes} minutes").format(minutes=format_decimal(s.minutes)))
        if allowances:
            form.addRow(_("Included:"), _value(", ".join(allowances)))
        form.addRow(_("Active since:"), _value(format_date(s.activated)))
        if s.last_upgrade_effective:
            form.addRow(_("Last upgrade:"), _value(format_date(s.last_upgrade_effective)))
        if s.cancelled_effective:
            form.addRow(_("Cancelled as of:"), _value(format_date(s.cancelled_effective)))
        return box

    def _device_plans_box(self, o: CustomerOverview) -> QGroupBox:
        box, form = self._group(_("Device plans"), "devicePlansBox")
        if not o.device_plans:
            form.addRow(hint_label(_("No active device plan.")))
        for p in o.device_plans:
            form.addRow(
                _("Plan {number}:").format(number=p.plan_no),
                _value(
                    (f"{p.device}\n" if p.device else "")
                    + ngettext(
                        "{instalment} per month since {date}; {billed} instalment billed; "
                        "financed {financed}, down payment {down}",
                        "{instalment} per month since {date}; {billed} instalments billed; "
                        "financed {financed}, down payment {down}",
                        p.instalments_billed,
                    ).format(
                        instalment=self._money(p.instalment, o),
                        date=format_date(p.activated),
                        billed=p.instalments_billed,
                        financed=self._money(p.financed_amount, o),
                        down=self._money(p.down_payment, o),
                    )
                ),
            )
        return box

    def _bundles_box(self, o: CustomerOverview) -> QGroupBox:
        box, form = self._group(_("Bundles"), "bundlesBox")
        if not o.bundles:
            form.addRow(hint_label(_("No bundles or promotions.")))
        today = date.today()
        for b in o.bundles:
            days = (b.end_date - today).days
            if days < 0:
                when = _("ended {date}").format(date=format_date(b.end_date))
            elif days == 0:
                when = _("ends today")
            else:
                when = ngettext(
                    "ends {date} (in {days} day)", "ends {date} (in {days} days)", days
                ).format(date=format_date(b.end_date), days=days)
            fee = f" · {self._money(b.package_fee, o)}" if b.package_fee is not None else ""
            form.addRow(f"{b.name}:", _value(when + fee))
        return box

    def _cases_box(self, o: CustomerOverview) -> QGroupBox:
        box, form = self._group(_("Open cases"), "casesBox")
        if not o.open_cases:
            form.addRow(hint_label(_("No open cases.")))
        for c in o.open_cases:
            parts = []
            if c.stage:
                parts.append(stage_label(c.process, c.stage))
            about = case_words(
                c.process,
                c.subject,
                category=c.category,
                bundles={b.bundle_no: b.name for b in o.bundles},
            )
            if about:
                parts.append(about)
            # No due date here: "What to do now" lists every open case with the one due
            # date the to-do computes (a second, stored one disagreed with it).
            parts.append(_("opened {date}").format(date=format_datetime(local_time(c.opened_at))))
            form.addRow(f"{process_label(c.process)}:", _value(" · ".join(parts)))
        return box

    def _tickets_box(self, o: CustomerOverview) -> QGroupBox:
        """The customer's tickets to the partner, newest first, each with its latest answer."""
        box, form = self._group(_("Tickets to the partner"), "ticketsBox")
        shown = o.tickets[:TICKETS_SHOWN]
        for ticket in shown:
            row = ticket.row
            parts = [row.status_words]
            if row.overdue and row.due is not None:
                parts.append(_("overdue since {date}").format(date=format_date(row.due)))
            elif row.due is not None and row.status.value == "open":
                parts.append(_("answer due {date}").format(date=format_date(row.due)))
            # One wrapped label a row: a flow title as the form's label would not wrap.
            lines = [f"{row.reason}:", row.subject, " · ".join(parts)]
            for answer in ticket.answers[-ANSWERS_SHOWN:]:
                lines.append(
                    _("{when}: {verdict}{text}").format(
                        when=format_datetime(local_time(answer.created_at)),
                        verdict=verdict_words(answer.agrees),
                        text=answer.text,
                    )
                )
            value = _value("\n".join(lines))
            if row.overdue:
                value.setProperty("role", "error")
            form.addRow(value)
        if len(o.tickets) > len(shown):
            more = len(o.tickets) - len(shown)
            form.addRow(
                hint_label(
                    ngettext("and {n} older ticket", "and {n} older tickets", more).format(n=more)
                )
            )
        return box


def verdict_words(agrees: bool | None) -> str:
    """How a partner's answer decides, before its text: "agrees — ", "disagrees — " or nothing."""
    if agrees is True:
        return _("agrees — ")
    if agrees is False:
        return _("disagrees — ")
    return ""
