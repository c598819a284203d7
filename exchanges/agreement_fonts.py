"""Fonts of the agreement PDF: a TrueType font that covers Latin with every diacritic
(Vietnamese, Polish, Czech…), Greek and Cyrillic, embedded in the file; CJK characters
fall back on reportlab's built-in Asian fonts, which PDF readers supply themselves.

DejaVu Sans (Debian's fonts-dejavu-core, free licence) is looked for where Debian and
most distributions install it. Without it, reportlab's own Vera serves Western European
text only: the PDF still renders, and the server log says which font it used."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from html import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

# Where the TrueType fonts may be; the first folder that has all three wins.
FONT_DIRS = (
    os.environ.get("TANDEM_PDF_FONT_DIR", ""),
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
)
DEJAVU = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
}
VERA = {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "mono": "Vera.ttf"}

# The Asian fonts every PDF reader knows (not embedded), by script.
HANGUL_FONT = "HYGothic-Medium"
KANA_FONT = "HeiseiKakuGo-W5"
HAN_FONT = "STSong-Light"

# Thai has no font in reportlab nor in DejaVu; one is used when the system has it
# (Debian: fonts-thai-tlwg or fonts-noto-core). reportlab places Thai marks without
# shaping: readable, not typeset.
THAI_FONT = "Tandem-thai"
THAI_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma.ttf",
)


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    mono: str
    source: str
    # Code points the regular font has glyphs for.
    covered: frozenset[int]
    thai: bool = False


@functools.cache
def pdf_fonts() -> Fonts:
    """Register the fonts once per process and say which they are."""
    folder, files = _find_dejavu()
    if folder is None:
        folder, files = os.path.join(os.path.dirname(rl_config.__file__), "fonts"), VERA
        log.warning("DejaVu Sans not found; the agreement PDF uses Vera (Western European only)")
    names = {}
    for style, file in files.items():
        name = f"Tandem-{style}"
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, file)))
        names[style] = name
    pdfmetrics.registerFontFamily(
        names["regular"],
        normal=names["regular"],
        bold=names["bold"],
        italic=names["regular"],
        boldItalic=names["bold"],
    )
    for cid in (HANGUL_FONT, KANA_FONT, HAN_FONT):
        pdfmetrics.registerFont(UnicodeCIDFont(cid))
    thai = next((path for path in THAI_CANDIDATES if os.path.exists(path)), None)
    if thai:
        pdfmetrics.registerFont(TTFont(THAI_FONT, thai))
    face = pdfmetrics.getFont(names["regular"]).face
    return Fonts(
        regular=names["regular"],
        bold=names["bold"],
        mono=names["mono"],
        source=os.path.join(folder, files["regular"]),
        covered=frozenset(face.charToGlyph),
        thai=bool(thai),
    )


def _find_dejavu() -> tuple[str | None, dict]:
    for folder in FONT_DIRS:
        if folder and all(os.path.exists(os.path.join(folder, f)) for f in DEJAVU.values()):
            return folder, DEJAVU
    return None, {}


def _fallback(char: str, japanese: bool) -> str | None:
    code = ord(char)
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return HANGUL_FONT
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return KANA_FONT
    if (
        0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
    ):
        # Kanji with kana around them are Japanese, and read best in a Japanese font.
        return KANA_FONT if japanese else HAN_FONT
    if 0x0E00 <= code <= 0x0E7F and pdf_fonts().thai:
        return THAI_FONT
    return None


def font_for(text: str, default: str) -> str:
    """One font for a whole line drawn straight on the canvas (the footer): the default,
    or the fallback of the first character it lacks."""
    covered = pdf_fonts().covered
    japanese = any(0x3040 <= ord(c) <= 0x30FF for c in text)
    for char in text:
        if ord(char) not in covered and not char.isspace():
            return _fallback(char, japanese) or default
    return default


def markup(text: object) -> str:
    """Text made safe for a reportlab Paragraph: escaped, and each run of characters the
    main font lacks set in the font that has them: an Asian font every PDF reader has for
    Chinese, Japanese and Korean, a system font for Thai if there is one. Other scripts
    (Khmer, Burmese) show as missing glyphs: no font for them ships with reportlab or
    DejaVu."""
    covered = pdf_fonts().covered
    text = str(text)
    japanese = any(0x3040 <= ord(c) <= 0x30FF for c in text)
    out, run, run_font = [], [], None

    def flush():
        if run:
            chunk = escape("".join(run), quote=False)
            out.append(f'<font name="{run_font}">{chunk}</font>' if run_font else chunk)
            run.clear()

    for char in text:
        font = None if ord(char) in covered or char in "\n\t " else _fallback(char, japanese)
        if font != run_font:
            flush()
            run_font = font
        run.append(char)
    flush()
    return "".join(out).replace("\n", "<br/>")
