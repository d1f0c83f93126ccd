"""A licence drawn as a PDF: its data items in Chinese, the watermark, and a QR code of its
verification link. A CJK TrueType font is embedded when one is found (``YIWANG_PDF_FONT`` or a
system font such as WenQuanYi Micro Hei); otherwise the PDF names Adobe's STSong-Light, which
readers supply themselves."""

from __future__ import annotations

import functools
import io
import logging
import threading
from pathlib import Path

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

log = logging.getLogger("yiwang.certificates")

# TrueType-outline CJK fonts reportlab can embed (CFF-outline OpenType fonts it cannot).
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
FALLBACK = "STSong-Light"

# reportlab's embedded TrueType font is one object shared by every canvas, and subsetting it for
# a document is not safe in two threads at once: some drawings fail (KeyError or IndexError in
# makeSubset). Licences are drawn in threads (a process's render jobs run concurrently), so one
# at a time; the GIL serialised most of that work anyway.
_DRAWING = threading.Lock()


@functools.lru_cache(maxsize=4)
def font_name(configured: str | None) -> str:
    """Register and name the font licences are drawn in."""
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        if candidate and Path(candidate).exists():
            try:
                pdfmetrics.registerFont(TTFont("yiwang-cjk", candidate, subfontIndex=0))
            except Exception:  # a font reportlab cannot read: try the next
                log.warning("cannot embed font %s", candidate)
                continue
            return "yiwang-cjk"
    log.warning("no CJK TrueType font found; PDFs name %s for readers to supply", FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def watermark(issuer: str) -> str:
    """The line every copy carries (the 电子证照 use statement)."""
    return f"此件由{issuer}提供，仅供办理政务服务事项时使用"


def render(
    *,
    title: str,
    title_en: str,
    identifier: str,
    holder: str,
    holder_code: str,
    issuer: str,
    issued_on: str,
    valid_until: str | None,
    items: list[tuple[str, str]],
    verify_url: str,
    font_path: str | None = None,
) -> bytes:
    """One A4 page: title, data items, issuer and dates, the QR code, the watermark. Safe in
    several threads at once: they draw one at a time."""
    with _DRAWING:
        font = font_name(font_path)
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
        page.setTitle(f"{title} {identifier}")
        page.setAuthor(issuer)
        width, height = A4
        page.saveState()  # the watermark, faint and diagonal, under everything
        page.setFillGray(0.85)
        page.setFont(font, 22)
        page.translate(width / 2, height / 2)
        page.rotate(35)
        page.drawCentredString(0, 0, watermark(issuer))
        page.restoreState()
        page.setFont(font, 26)
        page.drawCentredString(width / 2, height - 90, title)
        page.setFont("Helvetica", 11)
        page.drawCentredString(width / 2, height - 110, title_en)
        page.setFont(font, 9)
        page.drawCentredString(width / 2, height - 130, f"证照标识 {identifier}")
        y = height - 175
        rows = [("持证主体", holder), ("持证主体代码", holder_code), *items]
        for label, value in rows:
            page.setFont(font, 11)
            page.drawString(70, y, label)
            lines = _wrap(value, 30)
            for line in lines:
                page.drawString(190, y, line)
                y -= 20
            y -= 6
        page.drawString(70, y - 10, f"发证机关  {issuer}")
        page.drawString(70, y - 30, f"发证日期  {issued_on}")
        page.drawString(70, y - 50, f"有效期至  {valid_until or '长期'}")
        _qr(page, verify_url, x=width - 70 - 110, y=70, size=110)
        page.setFont(font, 8)
        page.drawString(70, 90, "扫码核验真伪 · Scan to verify")
        page.drawString(70, 76, verify_url)
        page.setFont(font, 9)
        page.drawString(70, 55, watermark(issuer))
        page.showPage()
        page.save()
        return out.getvalue()


QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def _qr(page: canvas.Canvas, text: str, *, x: float, y: float, size: float) -> None:
    """A QR code of ``text`` in a square of ``size`` points at (x, y): encoded once, its dark
    modules drawn as one filled path, a rectangle per run of them in a row. (reportlab's QR
    widget encodes the text again for its bounds and for drawing, and makes a shape object
    per run: three quarters of the time a licence took to draw.)"""
    code = QRCode(None, QRErrorCorrectLevel.L)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    cell = size / (count + 2 * QUIET_ZONE)
    path = page.beginPath()
    for r, row in enumerate(code.modules):
        top = y + size - (r + QUIET_ZONE + 1) * cell
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                path.rect(x + (start + QUIET_ZONE) * cell, top, (c - start) * cell, cell)
            else:
                c += 1
    page.drawPath(path, stroke=0, fill=1)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
