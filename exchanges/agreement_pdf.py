"""The agreement as a PDF to print, sign and file: A4, reportlab's platypus, the fonts of
exchanges.agreement_fonts embedded, page numbers and the terms hash in every footer.

It lays out exchanges.agreement_display's view of the `build_agreement` document, as the
printable page does, so both show the same content."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from exchanges.agreement_display import AgreementView, agreement_view
from exchanges.agreement_fonts import font_for, markup, pdf_fonts

MARGIN = 18 * mm
GRID = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")


def agreement_pdf_filename(document: dict) -> str:
    return f"tandem-agreement-{document['proposal_id']}-{document['terms_sha256'][:12]}.pdf"


def _styles() -> dict[str, ParagraphStyle]:
    fonts = pdf_fonts()
    base = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=9.5, leading=12.5, alignment=TA_LEFT
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "label": ParagraphStyle("label", parent=base, fontName=fonts.bold, fontSize=8.5),
        "title": ParagraphStyle(
            "title", parent=base, fontName=fonts.bold, fontSize=17, leading=21, spaceAfter=4
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11.5, leading=15),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=fonts.bold,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=fonts.bold, fontSize=10, leading=13, spaceAfter=2
        ),
        "mono": ParagraphStyle("mono", parent=base, fontName=fonts.mono, fontSize=8.5),
    }


def _rows_table(rows: list[tuple[str, str]], styles, width: float) -> Table:
    data = [
        [Paragraph(markup(label), styles["label"]), Paragraph(markup(value), styles["cell"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[width * 0.36, width * 0.64])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _side_by_side(blocks, styles, width: float) -> Table:
    """Two blocks (the two partners, the two courses) in two columns."""
    column = (width - 6 * mm) / 2
    cells = [
        [Paragraph(markup(b.heading), styles["h3"]), _rows_table(b.rows, styles, column)]
        for b in blocks
    ]
    table = Table([cells], colWidths=[column + 3 * mm, column + 3 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def _grid(table_view, styles, widths: list[float]) -> Table:
    header = [Paragraph(markup(h), styles["label"]) for h in table_view.headers]
    body = [[Paragraph(markup(cell), styles["cell"]) for cell in row] for row in table_view.rows]
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.25, GRID),
            ]
        )
    )
    return table


def _signature_block(signature: dict, fields: list[str], styles, width: float):
    heading = Paragraph(
        markup(_("For %(institution)s") % {"institution": signature["institution"]}),
        styles["h3"],
    )
    rows = [[Paragraph(markup(f), styles["label"]), ""] for f in fields]
    table = Table(rows, colWidths=[width * 0.3, width * 0.7], rowHeights=[11 * mm] * len(rows))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [heading, table]


def _story(view: AgreementView, width: float) -> list:
    styles = _styles()
    story = [
        Paragraph(markup(view.title), styles["title"]),
        Paragraph(markup(view.courses_line), styles["subtitle"]),
        Paragraph(markup(view.reference), styles["small"]),
        Spacer(0, 4 * mm),
        Paragraph(markup(_("The partners")), styles["h2"]),
        _side_by_side(view.parties, styles, width),
        Paragraph(markup(_("The two courses")), styles["h2"]),
        _side_by_side(view.courses, styles, width),
        Paragraph(markup(view.terms.heading), styles["h2"]),
        _rows_table(view.terms.rows, styles, width),
    ]
    if view.terms_note:
        story += [Spacer(0, 2 * mm), Paragraph(markup(view.terms_note), styles["small"])]
    story.append(Paragraph(markup(_("Session plan")), styles["h2"]))
    if view.sessions.rows:
        story.append(
            _grid(view.sessions, styles, [width * 0.07, width * 0.37, width * 0.37, width * 0.19])
        )
    else:
        story.append(Paragraph(markup(view.sessions.empty), styles["body"]))
    if view.sessions_note:
        story += [Spacer(0, 2 * mm), Paragraph(markup(view.sessions_note), styles["small"])]
    story.append(Paragraph(markup(_("Approvals")), styles["h2"]))
    if view.approvals.rows:
        story.append(
            _grid(view.approvals, styles, [width * 0.3, width * 0.22, width * 0.2, width * 0.28])
        )
        story.append(Paragraph(markup(view.approvals_zone), styles["small"]))
    else:
        story.append(Paragraph(markup(view.approvals.empty), styles["body"]))
    story.append(
        KeepTogether(
            [
                Paragraph(markup(_("Terms hash")), styles["h2"]),
                Paragraph(markup(view.terms_hash), styles["mono"]),
                Spacer(0, 1.5 * mm),
                Paragraph(markup(view.hash_note), styles["small"]),
            ]
        )
    )
    column = (width - 10 * mm) / 2
    blocks = [_signature_block(s, view.signature_fields, styles, column) for s in view.signatures]
    signatures = Table([blocks], colWidths=[column + 5 * mm, column + 5 * mm])
    signatures.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5 * mm),
            ]
        )
    )
    # The signature blocks never split from their heading across a page.
    story.append(KeepTogether([Paragraph(markup(_("Signatures")), styles["h2"]), signatures]))
    return story


def _numbered_canvas(footer_hash: str, font: str, mono: str):
    """A canvas that knows the page count when it writes each footer (pages are kept
    until the end, then numbered "1 / 3")."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            page_width, _height = A4
            self.setStrokeColor(GRID)
            self.line(MARGIN, 13 * mm, page_width - MARGIN, 13 * mm)
            self.setFont(mono, 7)
            self.drawString(MARGIN, 9 * mm, f"SHA-256 {footer_hash}")
            label = _("Page %(page)s of %(total)s") % {"page": self._pageNumber, "total": total}
            self.setFont(font_for(label, font), 8)
            self.drawRightString(page_width - MARGIN, 9 * mm, label)

    return NumberedCanvas


def render_view(view: AgreementView) -> bytes:
    fonts = pdf_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=20 * mm,
        title=f"{view.title}: {view.courses_line}",
        author="Tandem",
        subject=view.reference,
        lang=translation.get_language() or "en",
    )
    doc.build(
        _story(view, doc.width),
        canvasmaker=_numbered_canvas(view.terms_hash, fonts.regular, fonts.mono),
    )
    return buffer.getvalue()


def render_agreement_pdf(document: dict) -> bytes:
    """The PDF of a `build_agreement` document, in the active language and time zone."""
    return render_view(agreement_view(document))
