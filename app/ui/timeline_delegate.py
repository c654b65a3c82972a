"""How one history entry looks in the timeline: a small grey heading, then the text.

Row heights are measured once per entry and view width and cached, and a
one-line entry is measured without text layout, so laying out thousands of
loaded rows stays cheap.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from app.i18n import format_datetime
from app.ui.common import WordsDelegate, item_pen
from app.ui.labels import kind_label
from app.ui.qt import (
    QFont,
    QFontMetrics,
    QListView,
    QRect,
    QSize,
    Qt,
)
from app.ui.table_model import Index

if TYPE_CHECKING:
    from app.services.customers import HistoryItem
    from app.ui.qt import QPainter, QStyleOptionViewItem

ItemRole = Qt.ItemDataRole.UserRole + 1


def local_time(value: datetime) -> datetime:
    """A stored UTC time in the desktop's time zone, for display."""
    return value.astimezone()


def entry_heading(item: HistoryItem) -> str:
    """``Note · 07/03/2026, 14:05 · anna``: the language's one date-time format."""
    return " · ".join(
        (kind_label(item.kind), format_datetime(local_time(item.created_at)), item.author)
    )


class TimelineDelegate(WordsDelegate):
    """Two parts per entry: a small grey heading, then the text (up to a few lines)."""

    MAX_TEXT_LINES = 6
    PADDING = 6
    object_role = ItemRole

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._sizes: dict[tuple[uuid.UUID, int], QSize] = {}
        self._font_key = ""
        self._font_cache: tuple[QFont, QFont] = (QFont(), QFont())
        self._metrics: tuple[QFontMetrics, QFontMetrics] = (
            QFontMetrics(QFont()),
            QFontMetrics(QFont()),
        )

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        key = option.font.key()
        if self._font_key != key:
            heading = QFont(option.font)
            heading.setPointSizeF(max(heading.pointSizeF() - 1, 7))
            heading.setBold(True)
            self._font_cache = (heading, QFont(option.font))
            self._metrics = (QFontMetrics(heading), QFontMetrics(option.font))
            self._font_key = key
            self._sizes.clear()
        return self._font_cache

    def _text_width(self) -> int:
        return max(self._view.viewport().width() - 2 * self.PADDING, 80)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        item: HistoryItem | None = index.data(ItemRole)
        if item is None:
            return super().sizeHint(option, index)
        self._fonts(option)
        width = self._text_width()
        key = (item.id, width)
        cached = self._sizes.get(key)
        if cached is not None:
            return cached
        heading, body = self._metrics
        line = body.lineSpacing()
        text = item.text
        if "\n" not in text and body.horizontalAdvance(text) <= width:
            text_height = line  # the common case: one short line, no wrapping to measure
        else:
            text_height = body.boundingRect(
                QRect(0, 0, width, line * (self.MAX_TEXT_LINES + 1)),
                int(Qt.TextFlag.TextWordWrap),
                text,
            ).height()
            text_height = min(text_height, line * self.MAX_TEXT_LINES)
        size = QSize(width, heading.lineSpacing() + text_height + 2 * self.PADDING + 2)
        if len(self._sizes) > 50_000:
            self._sizes.clear()
        self._sizes[key] = size
        return size

    def paint_words(
        self, painter: QPainter, option: QStyleOptionViewItem, item: HistoryItem
    ) -> None:
        heading_font, body_font = self._fonts(option)
        rect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        painter.setFont(heading_font)
        painter.setPen(item_pen(option, muted=True))
        heading_height = QFontMetrics(heading_font).lineSpacing()
        heading_rect = QRect(rect.left(), rect.top(), rect.width(), heading_height)
        heading = QFontMetrics(heading_font).elidedText(
            entry_heading(item), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(heading_rect, int(Qt.AlignmentFlag.AlignLeft), heading)
        painter.setFont(body_font)
        painter.setPen(item_pen(option))
        body_rect = QRect(
            rect.left(),
            rect.top() + heading_height + 2,
            rect.width(),
            rect.height() - heading_height,
        )
        painter.setClipRect(body_rect)
        painter.drawText(body_rect, int(Qt.TextFlag.TextWordWrap), item.text)

    def clear_cache(self) -> None:
        self._sizes.clear()
