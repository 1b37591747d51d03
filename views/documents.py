"""The office's documents (models/documents.py) as Word files the office edits and stamps in
WPS: A4 with the margins of official documents (GB/T 9704), the title in 黑体, the body in
仿宋, the rows as a table, the page number in the footer. The print page renders the same
rows (templates/admin/documents/print.html with static/print.css)."""

import io
import re

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask import send_file

TITLE_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Characters no file name may hold on the office's machines.
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def set_fonts(target, east_asian, size=None, bold=None):
    """Fonts of a style or a run: Latin text in Times New Roman, Chinese in `east_asian`
    (python-docx's font.name alone leaves Chinese text in Word's default font)."""
    target.font.name = LATIN_FONT
    target.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold


def a4(section):
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def page_number(section):
    """ "— 1 —" centred in the footer: a PAGE field, which Word and WPS fill in."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def paragraph(word, text, align, size=16, font=BODY_FONT, bold=None):
    made = word.add_paragraph()
    made.alignment = align
    set_fonts(made.add_run(text), font, size, bold)
    return made


def rows_table(word, rows):
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, text in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Mm(35), Mm(121)
        set_fonts(cells[0].paragraphs[0].add_run(label), TITLE_FONT, 14)
        for n, line in enumerate((text or "").splitlines() or [""]):
            target = cells[1].paragraphs[0] if n == 0 else cells[1].add_paragraph()
            set_fonts(target.add_run(line), BODY_FONT, 14)
    return table


def docx_bytes(document):
    """The document as a Word file's bytes."""
    word = WordDocument()
    set_fonts(word.styles["Normal"], BODY_FONT, 16)
    section = word.sections[0]
    a4(section)
    page_number(section)
    word.core_properties.title = document.title
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    paragraph(word, document.title, center, size=22, font=TITLE_FONT, bold=True)
    if document.draft_mark:
        paragraph(word, document.draft_mark, center, bold=True)
    else:
        paragraph(word, document.number, center)
    rows_table(word, document.rows)
    paragraph(word, "", right)
    paragraph(word, document.issuer, right)
    paragraph(word, document.date_text(), right)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def file_name(stem):
    return (UNSAFE_NAME.sub("_", stem).strip(" ._") or "document")[:80] + ".docx"


def send_docx(document):
    """The document as a download named in Chinese (RFC 5987 `filename*`)."""
    return send_file(
        io.BytesIO(docx_bytes(document)),
        mimetype=DOCX_MIMETYPE,
        as_attachment=True,
        download_name=file_name(document.file_stem),
    )
