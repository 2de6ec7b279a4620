"""The clinic's brand settings, checked when the configuration is read: the accent colour's contrast
(WCAG 2 relative luminance and contrast ratio) and the logo file's size and type."""

from __future__ import annotations

import re
from pathlib import Path

# The accent replaces --primary in web/static/site.css: white (--on-primary) text is set on it, and it
# is the link and secondary-button text colour on the page, card and reply backgrounds.
ACCENT_BACKGROUNDS = {
    "with white text on it": "#ffffff",
    "as text on the page background #f4f7fa": "#f4f7fa",
    "as text on the reply background #eef3f8": "#eef3f8",
}
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text
MAX_LOGO_BYTES = 256 * 1024
_HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def relative_luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def parse_accent_colour(value: str) -> str:
    """Return the accent colour, lower case (or "" when unset); refuse one that fails the contrast check."""
    colour = value.strip().lower()
    if not colour:
        return ""
    if not _HEX_COLOUR.match(colour):
        raise ValueError("must be a colour written #rrggbb, like #0b5394")
    ratios = {where: contrast_ratio(colour, background) for where, background in ACCENT_BACKGROUNDS.items()}
    # Rounded down, so a colour that just fails never reads as "4.50:1".
    failing = [f"{int(ratio * 100) / 100:.2f}:1 {where}" for where, ratio in ratios.items() if ratio < MIN_CONTRAST]
    if failing:
        raise ValueError(
            f"must have a contrast of at least {MIN_CONTRAST}:1 (WCAG AA) for white text on it and as text on the "
            f"pages, but has {', '.join(failing)}; choose a darker colour"
        )
    return colour


def logo_type(data: bytes) -> str | None:
    """Return the media type of a logo file's bytes (PNG, JPEG, WebP or SVG), or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if re.search(rb"<svg[\s>]", data[:4096]) and b"\0" not in data[:4096]:
        return "image/svg+xml"
    return None


def parse_logo(value: str) -> str:
    """Return the logo's path (or "" when unset); refuse a missing, unreadable, too large or non-image file."""
    if not value.strip():
        return ""
    path = Path(value.strip()).expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise ValueError(f"must be a file of at most {MAX_LOGO_BYTES // 1024} KB, not {-(-size // 1024)} KB")
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"must name a readable image file ({error.strerror})") from None
    if logo_type(data) is None:
        raise ValueError("must be a PNG, JPEG, WebP or SVG image file")
    return str(path)
