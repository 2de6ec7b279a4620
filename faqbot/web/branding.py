"""The clinic's own look on every patient page and the embed: logo and accent colour from configuration.

The pages' CSP allows styles and images from this origin only ('self', no inline <style>), so the
accent is a tiny stylesheet, /theme.css, linked after site.css, and the logo is served at /logo.
Both are read once at start (config.py has already checked them) and their URLs carry a version,
so a browser may keep them for a year and still sees a new colour or logo after a restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.blueprints import BlueprintSetupState

from ..brand import logo_type

bp = Blueprint("branding", __name__)
YEAR = 365 * 24 * 60 * 60
HOVER_SHADE = 0.74  # site.css's own --primary-dark is --primary at about 74%


@dataclass(frozen=True)
class Branding:
    """The configured accent colour ("" when unset) and logo (empty when unset), as served."""

    accent: str = ""
    logo: bytes = b""
    logo_type: str = ""

    @property
    def theme_css(self) -> str:
        """Return the stylesheet that puts the accent in place of site.css's --primary colours."""
        return f":root {{\n  --primary: {self.accent};\n  --primary-dark: {darker(self.accent)};\n}}\n"

    @property
    def logo_version(self) -> str:
        """Return a short hash of the logo, so its URL changes when the file does."""
        return hashlib.sha256(self.logo).hexdigest()[:12]


def darker(colour: str, factor: float = HOVER_SHADE) -> str:
    """Return a #rrggbb colour with each channel scaled by factor (a darker shade for hover states).

    A darker shade only gains contrast against white text and light backgrounds, so an accent that
    passed config.py's check still passes as its hover colour.
    """
    channels = (round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def load(accent: str, logo_path: str) -> Branding:
    """Read the configured branding: the colour as given, the logo file's bytes and media type."""
    if not logo_path:
        return Branding(accent=accent.strip().lower())
    data = Path(logo_path).read_bytes()
    return Branding(accent=accent.strip().lower(), logo=data, logo_type=logo_type(data) or "")


def get_branding() -> Branding:
    """Return the current app's branding."""
    return current_app.extensions["faqbot.branding"]


@bp.record_once
def _read_at_start(state: BlueprintSetupState) -> None:
    config = state.app.config
    state.app.extensions["faqbot.branding"] = load(config["CLINIC_ACCENT_COLOUR"], config["CLINIC_LOGO"])


@bp.app_context_processor
def branding_details() -> dict:
    """Give every template the theme stylesheet's and the logo's URLs (None when not configured)."""
    branding = get_branding()
    return {
        "branding": {
            "accent": branding.accent,
            "theme_url": url_for("branding.theme", v=branding.accent[1:]) if branding.accent else None,
            "logo_url": url_for("branding.logo", v=branding.logo_version) if branding.logo else None,
        }
    }


@bp.get("/theme.css")
def theme() -> Response:
    """Serve the clinic's accent colour as site.css's colour variables (404 when none is configured)."""
    branding = get_branding()
    if not branding.accent:
        abort(404)
    return _cached(Response(branding.theme_css, mimetype="text/css"), branding.accent[1:])


@bp.get("/logo")
def logo() -> Response:
    """Serve the clinic's logo (404 when none is configured)."""
    branding = get_branding()
    if not branding.logo:
        abort(404)
    # content_type, not mimetype: Werkzeug would add "; charset=utf-8" to SVG, overriding the file's own encoding.
    return _cached(Response(branding.logo, content_type=branding.logo_type), branding.logo_version)


def _cached(response: Response, version: str) -> Response:
    """Let browsers keep a versioned URL for a year; without the current version, ask each time."""
    response.set_etag(version)
    if request.args.get("v") == version:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response.make_conditional(request)
