"""The printable payout list of one desa (daftar hadir / tanda terima), as PDF (fpdf2).

One row per family: number, head's name, address with RT/RW, No. KK, amount, and a box for
the signature or thumbprint; a heading with the programme, date, place and desa, totals and
signature lines at the end. The words come from the caller (`Labels`, in the reader's
language): this module knows layout only.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.payout import Line

# Column widths in millimetres on A4 landscape (277 mm between the margins).
WIDTHS = (10, 62, 78, 42, 30, 55)
ROW_HEIGHT = 13  # room for a signature or a thumbprint


@dataclass(frozen=True)
class Labels:
    title: str  # "DAFTAR HADIR DAN TANDA TERIMA BANTUAN"
    office: str  # "Dinas Sosial Kabupaten Bekasi"
    heading: tuple[str, ...]  # lines under the title: programme, date and place, desa
    columns: tuple[str, str, str, str, str, str]  # No, Nama, Alamat, No. KK, Jumlah, Tanda tangan
    no_kk: str  # shown for a family without a KK
    collected: str  # shown in the signature box of a family already marked
    total: str  # "Jumlah keluarga: {count}"
    signatures: tuple[str, str]  # "Petugas Dinas Sosial", "Kepala Desa / Lurah"
    page: str  # "Halaman {page}"
    address: str  # "{address} RT {rt}/RW {rw}"


def latin(text: str) -> str:
    """The PDF's core font covers Latin-1: anything else (an emoji in a name) becomes '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    labels: Labels

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, latin(self.labels.page.format(page=self.page_no())), align="R")


def render(labels: Labels, lines: list[Line], amount: str) -> bytes:
    pdf = _Document(orientation="L", unit="mm", format="A4")
    pdf.labels = labels
    pdf.set_title(latin(labels.title))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=13)
    pdf.cell(0, 7, latin(labels.title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 6, latin(labels.office), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for text in labels.heading:
        pdf.cell(0, 6, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _header(pdf, labels)
    for number, line in enumerate(lines, start=1):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            _header(pdf, labels)
        _row(pdf, labels, number, line, amount)
    pdf.ln(4)
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 6, latin(labels.total.format(count=len(lines))),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(6)
    for text in labels.signatures:
        pdf.cell(138, 6, latin(text), align="C")
    pdf.ln(22)
    for _text in labels.signatures:
        pdf.cell(138, 6, "(______________________________)", align="C")
    return bytes(pdf.output())


def _header(pdf: FPDF, labels: Labels) -> None:
    pdf.set_font("helvetica", style="B", size=9)
    pdf.set_fill_color(230, 230, 230)
    for width, text in zip(WIDTHS, labels.columns, strict=True):
        pdf.cell(width, 8, latin(text), border=1, align="C", fill=True)
    pdf.ln()
    pdf.set_font("helvetica", size=9)


def _row(pdf: FPDF, labels: Labels, number: int, line: Line, amount: str) -> None:
    address = labels.address.format(
        address=line.address, rt=line.rt or "-", rw=line.rw or "-"
    ).strip()
    cells = (
        str(number),
        line.head,
        address,
        line.kk or labels.no_kk,
        amount,
        labels.collected if line.collected_at is not None else "",
    )
    for width, text, align in zip(WIDTHS, cells, ("C", "L", "L", "L", "R", "C"), strict=True):
        pdf.cell(width, ROW_HEIGHT, _fit(pdf, latin(text), width - 2), border=1, align=align)
    pdf.ln()


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten a long name or address to its cell, with an ellipsis the font has ("...")."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."
