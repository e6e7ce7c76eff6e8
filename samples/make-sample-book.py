#!/usr/bin/env python3
"""Typesets samples/book-source.txt into samples/pride-and-prejudice-a5.pdf and writes its ground
truth, samples/pride-and-prejudice-a5.gt.json (pdf-eval-gt/1, as ../shared/corpus/README.md
describes), from the layout computed here, not from reading the PDF back.

Needs ReportLab (Debian: python3-reportlab; or `pip install reportlab`) and the DejaVu Serif
Condensed fonts (Debian: fonts-dejavu-extra), embedded as subsets. No network.

    python3 samples/make-sample-book.py      # from the package root

The book: A5, title page, edition notice, contents, a blank verso, then chapters 1-10 of Pride and
Prejudice, each starting on a new page. Running heads sit on a fixed baseline near the top: the
book title on even (left) pages, the chapter on odd (right) pages, none on a chapter's opening page.
The folio (= the physical page number) is centred on a fixed baseline in the footer of every body
page. Front matter has neither. Output is deterministic: ReportLab's invariant mode fixes the dates
and the document ID, and the line breaking below is plain greedy justification. The committed
PDF was made with ReportLab 5.1.0 (PyPI); other versions may differ in bytes, not in content.
"""
import json
import os
import sys

from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "book-source.txt")
PDF = os.path.join(HERE, "pride-and-prejudice-a5.pdf")
GT = os.path.join(HERE, "pride-and-prejudice-a5.gt.json")
FONT_DIR = "/usr/share/fonts/truetype/dejavu"

TITLE = "Pride and Prejudice"
PAGE_W, PAGE_H = A5  # 419.53 x 595.28 pt

# Layout, in points from the page's top-left (PDF y is flipped when drawing).
MARGIN_X = 52.0  # left = right margin, so one crop box fits odd and even pages
TEXT_W = PAGE_W - 2 * MARGIN_X
BODY_SIZE, LEADING = 10.0, 13.2
FIRST_BASELINE = 74.0  # first body line on a full page
LINES_PER_PAGE = 35  # last baseline 74 + 34 * 13.2 = 522.8
HEAD_SIZE, HEAD_BASELINE = 9.0, 42.0  # running head
FOLIO_SIZE, FOLIO_BASELINE = 9.0, 562.0  # page number
CHAPTER_SIZE = 15.0
CHAPTER_BASELINE = FIRST_BASELINE + 2 * LEADING  # heading on an opening page
OPENING_FIRST_LINE = 5  # body starts on grid line 5 of an opening page
INDENT = 12.0
FIRST_BODY_PAGE = 5

REGULAR, ITALIC, BOLD = "SerifCond", "SerifCond-Italic", "SerifCond-Bold"


def register_fonts():
    for name, file in [(REGULAR, "DejaVuSerifCondensed.ttf"), (ITALIC, "DejaVuSerifCondensed-Italic.ttf"),
                       (BOLD, "DejaVuSerifCondensed-Bold.ttf")]:
        path = os.path.join(FONT_DIR, file)
        if not os.path.exists(path):
            sys.exit(f"missing {path}: apt-get install fonts-dejavu-extra")
        pdfmetrics.registerFont(TTFont(name, path))


def read_chapters():
    """[(number, [paragraph, ...])]; a paragraph is a list of (word, italic) with '_' removed."""
    chapters = []
    paragraph_lines = []

    def end_paragraph():
        if paragraph_lines:
            chapters[-1][1].append(" ".join(paragraph_lines))
            paragraph_lines.clear()

    for line in open(SOURCE, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if line.startswith("Chapter "):
            end_paragraph()
            chapters.append((int(line.split()[1]), []))
        elif not line.strip():
            end_paragraph()
        else:
            paragraph_lines.append(line.strip())
    end_paragraph()

    result = []
    for number, paragraphs in chapters:
        words_of = []
        for text in paragraphs:
            italic, words = False, []
            for raw in text.split():
                # A word may switch italics inside ("_You_," "_may_"): split it into runs.
                runs, current = [], ""
                for ch in raw:
                    if ch == "_":
                        if current:
                            runs.append((current, italic))
                        current, italic = "", not italic
                    else:
                        current += ch
                if current:
                    runs.append((current, italic))
                if runs:
                    words.append(runs)
            words_of.append(words)
        result.append((number, words_of))
    return result


def run_width(runs, size=BODY_SIZE):
    return sum(pdfmetrics.stringWidth(text, ITALIC if it else REGULAR, size) for text, it in runs)


def word_text(runs):
    return "".join(text for text, _ in runs)


def break_paragraph(words, first_indent):
    """Greedy line breaking: [(words, indent, justify)]."""
    space = pdfmetrics.stringWidth(" ", REGULAR, BODY_SIZE)
    lines, current, width, indent = [], [], 0.0, first_indent
    for word in words:
        w = run_width(word)
        if current and width + space + w > TEXT_W - indent:
            lines.append((current, indent, True))
            current, width, indent = [], 0.0, 0.0
        width += (space if current else 0.0) + w
        current.append(word)
    if current:
        lines.append((current, indent, False))
    return lines


class Book:
    def __init__(self):
        self.canvas = canvas.Canvas(PDF, pagesize=A5, invariant=1, pageCompression=1)
        self.canvas.setTitle(f"{TITLE} (chapters 1-10)")
        self.canvas.setAuthor("Jane Austen")
        self.canvas.setSubject("TuneBench sample book (public domain text)")
        self.canvas.setCreator("samples/make-sample-book.py (ReportLab)")
        self.pages = []  # ground truth per page
        self.page_open = False

    # Drawing helpers take `top` = baseline in points from the top of the page.
    def text(self, font, size, x, baseline, s):
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, PAGE_H - baseline, s)

    def centred(self, font, size, baseline, s):
        self.canvas.setFont(font, size)
        self.canvas.drawCentredString(PAGE_W / 2, PAGE_H - baseline, s)

    def new_page(self, role, label="", header="", footer=""):
        if self.page_open:
            self.canvas.showPage()
        self.page_open = True
        page = {"page": len(self.pages) + 1, "label": label, "header": header, "footer": footer,
                "body": [], "chapter_opening": False, "role": role}
        self.pages.append(page)
        if header:
            self.centred(ITALIC, HEAD_SIZE, HEAD_BASELINE, header)
        if footer:
            self.centred(REGULAR, FOLIO_SIZE, FOLIO_BASELINE, footer)
        return page

    def body_line(self, page, baseline, words, indent, justify):
        space = pdfmetrics.stringWidth(" ", REGULAR, BODY_SIZE)
        widths = [run_width(w) for w in words]
        gap = space
        if justify and len(words) > 1:
            gap = (TEXT_W - indent - sum(widths)) / (len(words) - 1)
        x = MARGIN_X + indent
        for word, w in zip(words, widths):
            rx = x
            for text, italic in word:
                font = ITALIC if italic else REGULAR
                self.text(font, BODY_SIZE, rx, baseline, text)
                rx += pdfmetrics.stringWidth(text, font, BODY_SIZE)
            x += w + gap
        page["body"].append(" ".join(word_text(w) for w in words))


def front_matter(book, chapter_pages):
    p = book.new_page("front")
    book.centred(BOLD, 22, 190, TITLE.upper())
    book.centred(ITALIC, 12, 222, "by")
    book.centred(REGULAR, 14, 246, "Jane Austen")
    book.centred(REGULAR, 11, 300, "Chapters 1 to 10")
    book.centred(ITALIC, 9, 520, "TuneBench sample edition")
    p["body"] = [TITLE.upper(), "by", "Jane Austen", "Chapters 1 to 10", "TuneBench sample edition"]

    p = book.new_page("front")
    notice = [
        "Pride and Prejudice was first published in 1813; its author died",
        "in 1817 and the text is in the public domain. This excerpt is the",
        "Project Gutenberg text carried by the Debian package",
        "r-cran-janeaustenr. It was typeset with ReportLab by",
        "samples/make-sample-book.py, which also wrote its ground truth.",
    ]
    for i, line in enumerate(notice):
        book.text(REGULAR, 8.5, MARGIN_X, 460 + i * 11.5, line)
    p["body"] = notice

    p = book.new_page("front")
    book.centred(BOLD, CHAPTER_SIZE, CHAPTER_BASELINE, "Contents")
    p["body"] = ["Contents"]
    for i, (number, page_no) in enumerate(chapter_pages):
        baseline = CHAPTER_BASELINE + 2 * LEADING + i * LEADING * 1.5
        book.text(REGULAR, BODY_SIZE, MARGIN_X + 40, baseline, f"Chapter {number}")
        book.canvas.setFont(REGULAR, BODY_SIZE)
        book.canvas.drawRightString(PAGE_W - MARGIN_X - 40, PAGE_H - baseline, str(page_no))
        p["body"].append(f"Chapter {number} {page_no}")

    book.new_page("front")  # blank verso before chapter 1


def set_chapters(book, chapters):
    """Typesets the body; returns [(chapter, first page)]."""
    starts = []
    for number, paragraphs in chapters:
        page_no = len(book.pages) + 1
        starts.append((number, page_no))
        page = book.new_page("body", label=str(page_no), footer=str(page_no))
        page["chapter_opening"] = True
        heading = f"Chapter {number}"
        book.centred(BOLD, CHAPTER_SIZE, CHAPTER_BASELINE, heading)
        page["body"].append(heading)
        line_no = OPENING_FIRST_LINE
        for k, words in enumerate(paragraphs):
            for words_in_line, indent, justify in break_paragraph(words, 0.0 if k == 0 else INDENT):
                if line_no == LINES_PER_PAGE:
                    page_no = len(book.pages) + 1
                    header = TITLE if page_no % 2 == 0 else heading
                    page = book.new_page("body", label=str(page_no), header=header, footer=str(page_no))
                    line_no = 0
                book.body_line(page, FIRST_BASELINE + line_no * LEADING, words_in_line, indent, justify)
                line_no += 1
    return starts


def ground_truth(pages):
    regular_ascent, regular_descent = pdfmetrics.getAscentDescent(REGULAR, BODY_SIZE)
    head_ascent, head_descent = pdfmetrics.getAscentDescent(ITALIC, HEAD_SIZE)
    folio_ascent, _ = pdfmetrics.getAscentDescent(REGULAR, FOLIO_SIZE)
    head_bottom = HEAD_BASELINE - head_descent  # descent is negative
    body_top = FIRST_BASELINE - regular_ascent
    body_bottom = FIRST_BASELINE + (LINES_PER_PAGE - 1) * LEADING - regular_descent
    folio_top = FOLIO_BASELINE - folio_ascent
    pad = 4.0
    body = [p["page"] for p in pages if p["role"] == "body"]
    r = lambda v: round(v, 1)
    return {
        "schema": "pdf-eval-gt/1",
        "pdf": os.path.basename(PDF),
        "kind": "generated-book",
        "generator": "samples/make-sample-book.py: ReportLab canvas, DejaVu Serif Condensed 10/13.2 pt, A5",
        "source": {
            "package": "r-cran-janeaustenr 1.0.0-1 (Debian 12 bookworm, main)",
            "path": "/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb",
            "object": "prideprejudice",
            "excerpt": "samples/book-source.txt (chapters 1-10)",
        },
        "page_count": len(pages),
        "page_size": [r(PAGE_W), r(PAGE_H)],
        "body_pages": [body[0], body[-1]],
        "crop_box": [r(MARGIN_X - pad), r((head_bottom + body_top) / 2), r(PAGE_W - MARGIN_X + pad),
                     r((body_bottom + folio_top) / 2)],
        "crop_box_valid": {
            "top": [r(head_bottom), r(body_top)],
            "bottom": [r(body_bottom), r(folio_top)],
            "x0_max": r(MARGIN_X),
            "x1_min": r(PAGE_W - MARGIN_X),
        },
        "coords": "PDF points, origin top-left of the page (pdfplumber / PyMuPDF convention): x0, top, x1, bottom",
        "body_text_source": "the lines this script drew on each page, words joined by single spaces, '_' italics markers removed",
        "pages": [dict(p, body="\n".join(p["body"])) for p in pages],
    }


def main():
    register_fonts()
    chapters = read_chapters()
    # Two passes: the contents page needs the chapters' first pages, which do not depend on it.
    probe = Book()
    front_matter(probe, [(n, 0) for n, _ in chapters])
    starts = set_chapters(probe, chapters)
    assert len(probe.pages) > FIRST_BODY_PAGE and starts[0][1] == FIRST_BODY_PAGE

    book = Book()
    front_matter(book, starts)
    set_chapters(book, chapters)
    book.canvas.showPage()
    book.canvas.save()
    with open(GT, "w", encoding="utf-8") as f:
        json.dump(ground_truth(book.pages), f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{PDF}: {len(book.pages)} pages, {os.path.getsize(PDF)} bytes; body {starts[0][1]}-{len(book.pages)}")


if __name__ == "__main__":
    main()
