"""Read back the QR codes the portal draws (segno's inline SVG).

No decoder library is needed: the SVG's path is turned back into its dark
modules, and those must be exactly the modules segno draws for the text
the code should carry (same error level), so the code says that text.
"""

import re

import segno

PATH = re.compile(r'<path[^>]* d="([^"]+)"')
STEP = re.compile(r"([Mmh])\s*(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?")
BORDER = 4


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) of a segno SVG, quiet zone removed."""
    d = PATH.search(svg).group(1)
    x = y = 0.0
    dark = set()
    for command, a, b in STEP.findall(d):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                dark.add((int(x) + i - BORDER, int(y) - BORDER))
            x += float(a)
    return dark


def segno_modules(text: str) -> set[tuple[int, int]]:
    code = segno.make(text, error="m", micro=False)
    return {
        (col, row)
        for row, line in enumerate(code.matrix)
        for col, bit in enumerate(line)
        if bit
    }


def qr_says(svg: str, text: str) -> bool:
    """Whether the QR code in `svg` carries exactly `text`."""
    return svg_modules(svg) == segno_modules(text)


def svgs_in(html: str) -> list[str]:
    return re.findall(r'<svg[^>]*class="qr".*?</svg>', html, re.S)
