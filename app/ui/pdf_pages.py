"""PDF pages as images, for previewing and printing letters, with PDFium (pypdfium2).

QtPdf is not part of pyside6-essentials; PDFium is Chrome's PDF engine and
has wheels for Windows. Both functions are safe to call off the GUI thread
(QImage and QPainter on a QPrinter may be used in worker threads); PDFium
itself is not thread-safe, so one document is rendered at a time.
"""

from __future__ import annotations

import threading

# Printing and images beyond app.ui.qt's set.
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter

from app.i18n import _
from app.services.errors import ServiceError
from app.ui.qt import QPainter, QRect, Qt

#: Printing renders pages at the printer's resolution, at most this (A4 at 300 dpi: 25 MB).
PRINT_MAX_DPI = 300

#: PDFium is not thread-safe: one rendering at a time.
_pdfium = threading.Lock()


def render_pages(pdf: bytes, scale: float) -> list[QImage]:
    """The pages of ``pdf`` as images, ``scale`` pixels per point (safe off the GUI thread)."""
    import pypdfium2 as pdfium

    images = []
    with _pdfium:
        document = pdfium.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                bitmap = document[index].render(scale=scale, rev_byteorder=True)
                fmt = (
                    QImage.Format.Format_RGB888
                    if bitmap.n_channels == 3
                    else QImage.Format.Format_RGBX8888
                )
                data = bytes(bitmap.buffer)
                images.append(QImage(data, bitmap.width, bitmap.height, bitmap.stride, fmt).copy())
        finally:
            document.close()
    return images


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint every page of ``pdf`` on ``printer`` at its resolution; returns the page count."""
    images = render_pages(pdf, min(printer.resolution(), PRINT_MAX_DPI) / 72)
    painter = QPainter()
    if not painter.begin(printer):
        raise ServiceError(_("The printer could not be started."))
    try:
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.x(), area.y(), size.width(), size.height()), image)
    finally:
        painter.end()
    return len(images)
