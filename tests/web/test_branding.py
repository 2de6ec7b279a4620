"""The clinic's branding and embed options: accent colour and logo settings, /theme.css, /logo, the snippet page."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from faqbot import config
from faqbot.brand import contrast_ratio, relative_luminance
from faqbot.config import ConfigError
from faqbot.web.branding import darker

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 1"><rect width="4"/></svg>'


def text_of(response) -> str:
    """Return a page's HTML as text."""
    return response.get_data(as_text=True)


def png(width: int = 2, height: int = 1) -> bytes:
    """Return a real PNG file of black pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\0" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


LOGOS = [
    ("logo.png", png(), "image/png"),
    ("logo.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0" + bytes(64), "image/jpeg"),
    ("logo.webp", b"RIFF\x2c\0\0\0WEBPVP8 " + bytes(32), "image/webp"),
    ("logo.svg", SVG, "image/svg+xml"),
]


@pytest.fixture
def logo_file(tmp_path: Path) -> Path:
    """A small PNG logo in tmp_path."""
    path = tmp_path / "logo.png"
    path.write_bytes(png())
    return path


# The colour arithmetic


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),
        ("#777777", "#777777", 1.0),
        ("#0b5394", "#ffffff", 7.84),  # site.css's own --primary with white text
        ("#767676", "#ffffff", 4.54),  # the well-known lightest grey that passes AA on white
    ],
)
def test_contrast_ratio_follows_wcag(first, second, ratio):
    """The contrast ratio is WCAG's (L1 + 0.05) / (L2 + 0.05), whichever colour is given first."""
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.005)


def test_relative_luminance_runs_from_black_to_white():
    """Black has relative luminance 0, white 1, and green counts for more than red, red more than blue."""
    assert relative_luminance("#000000") == 0 and relative_luminance("#ffffff") == pytest.approx(1)
    assert relative_luminance("#00ff00") > relative_luminance("#ff0000") > relative_luminance("#0000ff")


@pytest.mark.parametrize(
    ("colour", "expected"), [("#0b5394", "#083d6e"), ("#ffffff", "#bdbdbd"), ("#000000", "#000000")]
)
def test_the_hover_shade_is_darker_like_site_css(colour, expected):
    """--primary-dark is --primary at 74%, which turns site.css's own blue into its own hover blue."""
    assert darker(colour) == expected


# The accent colour setting


@pytest.mark.parametrize("colour", ["#0b5394", "#00695C", "#1a7f37", "  #6a1b9a  "])
def test_an_accent_with_enough_contrast_is_accepted(make_app, colour):
    """A colour white text and the light backgrounds both contrast with by 4.5:1 starts the app."""
    make_app(CLINIC_ACCENT_COLOUR=colour)


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#7fa7d1", "2.51:1 with white text on it, 2.33:1 as text on the page background #f4f7fa"),
        ("#1a8037", "but has 4.49:1 as text on the reply background #eef3f8; choose a darker colour"),
        ("#ffff00", "1.07:1 with white text on it"),
        ("teal", "must be a colour written #rrggbb"),
        ("#0b539", "must be a colour written #rrggbb"),
        ("0b5394", "must be a colour written #rrggbb"),
    ],
)
def test_a_low_contrast_or_malformed_accent_is_refused_at_start(make_app, colour, message):
    """A colour that fails WCAG AA stops the start with its ratios, the 4.5:1 needed and the key's name."""
    with pytest.raises(ConfigError) as failure:
        make_app(CLINIC_ACCENT_COLOUR=colour)
    assert str(failure.value).startswith("Config 'CLINIC_ACCENT_COLOUR' must")
    assert message in str(failure.value)
    if "#rrggbb" not in message:
        assert "at least 4.5:1 (WCAG AA)" in str(failure.value)


def test_a_low_contrast_accent_in_the_environment_names_the_variable():
    """FAQBOT_CLINIC_ACCENT_COLOUR is checked the same way, and the message names the variable and value."""
    with pytest.raises(ConfigError) as failure:
        config.env_overrides({"FAQBOT_CLINIC_ACCENT_COLOUR": "#7fa7d1"})
    assert "'FAQBOT_CLINIC_ACCENT_COLOUR' must have a contrast of at least 4.5:1" in str(failure.value)
    assert str(failure.value).endswith("(got '#7fa7d1').")
    assert config.env_overrides({"FAQBOT_CLINIC_ACCENT_COLOUR": ""}) == {"CLINIC_ACCENT_COLOUR": ""}


def test_the_accent_replaces_the_primary_colours_through_theme_css(make_app):
    """/theme.css sets --primary and its darker hover shade, and is linked after site.css on every page."""
    client = make_app(CLINIC_ACCENT_COLOUR="#00695C").test_client()
    for path in ["/", "/embed", "/sources/", "/sources/two-stage-process", "/embed/snippet", "/no-such-page"]:
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', text_of(client.get(path)))
        assert links[:2] == ["/static/site.css", "/theme.css?v=00695c"], path
    theme = client.get("/theme.css?v=00695c")
    assert theme.mimetype == "text/css"
    assert "--primary: #00695c;" in text_of(theme) and "--primary-dark: #004e44;" in text_of(theme)
    assert "unsafe-inline" not in theme.headers["Content-Security-Policy"]


def test_theme_css_is_cached_for_a_year_under_its_versioned_url(make_app):
    """The versioned URL may be kept for a year; any other is revalidated, and an unchanged one gets 304."""
    client = make_app(CLINIC_ACCENT_COLOUR="#00695c").test_client()
    versioned = client.get("/theme.css?v=00695c")
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/theme.css?v=0b5394").headers["Cache-Control"] == "no-cache"
    again = client.get("/theme.css", headers={"If-None-Match": versioned.headers["ETag"]})
    assert again.status_code == 304


def test_without_branding_nothing_extra_is_linked_or_served(client):
    """Unset, the pages link no theme and show no logo, and /theme.css and /logo do not exist."""
    page = text_of(client.get("/"))
    assert "/theme.css" not in page and "clinic-logo" not in page
    assert client.get("/theme.css").status_code == 404 and client.get("/logo").status_code == 404


# The logo setting


@pytest.mark.parametrize(("name", "data", "media_type"), LOGOS)
def test_a_logo_is_served_from_our_origin_with_its_type(make_app, tmp_path, name, data, media_type):
    """A PNG, JPEG, WebP or SVG logo is served by the app itself (img-src 'self') with its media type."""
    path = tmp_path / name
    path.write_bytes(data)
    client = make_app(CLINIC_LOGO=str(path)).test_client()
    src = re.search(r'<img class="clinic-logo" src="([^"]+)"', text_of(client.get("/"))).group(1)
    assert src.startswith("/logo?v=")
    response = client.get(src)
    assert response.status_code == 200 and response.content_type == media_type and response.data == data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_logo_names_the_clinic_in_both_headers(make_app, logo_file):
    """In the page's one-row header the logo's alt text names the clinic; in the embed's header the name is
    written beside it, so there its alt is empty."""
    client = make_app(CLINIC_LOGO=str(logo_file), CLINIC_NAME="Smile Street Dental").test_client()
    page = text_of(client.get("/"))
    assert re.search(r'<p class="site-title"><a href="/"><img class="clinic-logo" src="/logo\?v=\w+" '
                     r'alt="Smile Street Dental:"> Dental implant questions</a>', page)  # fmt: skip
    embed = text_of(client.get("/embed"))
    assert re.search(r'<p class="tagline"><img class="clinic-logo" [^>]+><strong>Smile Street Dental', embed)


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda path: None, "must name a readable image file (No such file or directory)"),
        (lambda path: path.mkdir(), "must name a readable image file (Is a directory)"),
        (lambda path: path.write_bytes(b"GIF89a" + bytes(32)), "must be a PNG, JPEG, WebP or SVG image file"),
        (
            lambda path: path.write_text("<html><body>not a logo</body></html>"),
            "must be a PNG, JPEG, WebP or SVG image file",
        ),
        (lambda path: path.write_bytes(png() + bytes(300 * 1024)), "must be a file of at most 256 KB, not 301 KB"),
    ],
)
def test_a_missing_or_wrong_logo_is_refused_at_start(make_app, tmp_path, make_file, message):
    """A logo that is missing, not a file, not an image of the four types or too large stops the start."""
    path = tmp_path / "logo.png"
    make_file(path)
    with pytest.raises(ConfigError) as failure:
        make_app(CLINIC_LOGO=str(path))
    assert str(failure.value) == f"Config 'CLINIC_LOGO' {message} (got {str(path)!r})."


def test_an_unreadable_logo_is_refused_at_start(make_app, logo_file, monkeypatch):
    """A logo the server may not read stops the start, naming the setting."""
    # chmod 0 would not stop root (CI runs as root), so the read itself is refused, as for any other user.
    read_bytes = Path.read_bytes

    def refuse_the_logo(path: Path) -> bytes:
        if path == logo_file:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_the_logo)
    with pytest.raises(ConfigError, match=r"Config 'CLINIC_LOGO' must name a readable image file \(Permission denied"):
        make_app(CLINIC_LOGO=str(logo_file))


# The launcher script and the snippet page


def test_only_the_launcher_script_may_be_loaded_by_another_site(client):
    """launcher.js is sent with Cross-Origin-Resource-Policy: cross-origin; every other file stays same-origin."""
    assert client.get("/static/launcher.js").headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    for path in ["/static/chat.js", "/static/site.css", "/embed"]:
        assert client.get(path).headers["Cross-Origin-Resource-Policy"] == "same-origin", path


def test_the_snippet_page_warns_above_the_code_under_the_default_origins(client):
    """With EMBED_ORIGINS 'self', the page names the setting, its value and the blank frame before any code."""
    page = text_of(client.get("/embed/snippet"))
    warning = page.index('id="embed-origins-warning"')
    assert page.index("FAQBOT_EMBED_ORIGINS") < page.index("Now set to: <code>&#39;self&#39;</code>") < warning
    assert warning < page.index("<pre") and "blank frame" in page[warning:] and "https://www.clinic.example" in page


def test_the_snippet_page_gives_both_codes_with_this_servers_urls(make_app):
    """Once the clinic's site is allowed there is no warning, and each option's code uses this server's URLs."""
    client = make_app(EMBED_ORIGINS="https://www.clinic.example").test_client()
    page = text_of(client.get("/embed/snippet", base_url="https://assistant.clinic.example"))
    assert 'id="embed-origins-warning"' not in page
    assert "Now set to: <code>https://www.clinic.example</code>" in page
    assert '&lt;iframe src="https://assistant.clinic.example/embed"' in page
    assert '&lt;script src="https://assistant.clinic.example/static/launcher.js"' in page


def test_the_snippet_page_shows_the_branding_settings(make_app, logo_file):
    """The page shows the clinic name, whether a logo is set and the accent, which the launcher code carries."""
    client = make_app(CLINIC_NAME="Smile Street Dental", CLINIC_LOGO=str(logo_file), CLINIC_ACCENT_COLOUR="#00695c")
    page = text_of(client.test_client().get("/embed/snippet"))
    assert "<dd>Smile Street Dental</dd>" in page and "Set: shown beside the clinic's name" in page
    assert "<dd><code>#00695c</code>" in page and 'data-colour="#00695c"' in page
    assert str(logo_file) not in page  # the server's file names are nobody else's business
    unset = text_of(make_app().test_client().get("/embed/snippet"))
    assert "Not set (no logo)" in unset and "Not set (the assistant's blue" in unset
    launcher_code = re.search(r'id="launcher-code"><code>(.*?)</code>', unset, re.DOTALL).group(1)
    assert "data-colour" not in launcher_code
