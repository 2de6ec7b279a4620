"""Pages stay on their own origin, and only /embed can be framed, by the configured sites only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, screenshot

PAGES = [
    "/",
    "/embed",
    "/sources/",
    "/sources/two-stage-process",
    "/sources/placement-vs-restoration",
    "/embed/snippet",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_requests_nothing_from_another_origin(open_page, path):
    """Loading a page (and, on the chat, asking a question) makes no request to another origin."""
    page, watch = open_page(path)
    if page.locator("#message").count():
        page.fill("#message", "what is a dental implant")
        page.press("#message", "Enter")
        page.locator(".kind-answer").wait_for()
    requested = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert requested, "the page loaded no resources at all"
    assert all(url.startswith(watch.origin) for url in requested)
    assert watch.foreign_requests == []


def framed(browser, site, path: str):
    """Open the clinic's site page that frames one of our pages, and return the page and the frame."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site.framing_host}/frame?src={site.url}{path}")
    page.wait_for_load_state("load")
    return context, page, page.frame_locator("iframe")


def test_embed_works_inside_an_allowed_site(browser, site):
    """The clinic's own site can show /embed in an iframe, and the chat works inside it."""
    context, page, frame = framed(browser, site, "/embed")
    try:
        frame.locator("#message").fill("what is a dental implant")
        frame.locator("#message").press("Enter")
        answer = frame.locator(".kind-answer")
        expect(answer.locator("h3")).to_have_text("What is a dental implant?")
        expect(answer.locator(".sources a").first).to_have_attribute("target", "_blank")
        page.wait_for_timeout(400)  # let the reply's fade-in inside the frame finish
        screenshot(page, "desktop-embed-in-clinic-site")
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/sources/two-stage-process", "/api/health"])
def test_other_pages_refuse_to_be_framed(browser, site, path):
    """Every page but /embed refuses to appear inside another site's frame."""
    context, page, frame = framed(browser, site, path)
    try:
        page.wait_for_timeout(300)
        inner = page.frames[1]
        assert inner.url.startswith("chrome-error://") or inner.url == "about:blank"
        expect(frame.locator("body")).not_to_contain_text("dental", timeout=1000)
    finally:
        context.close()


def test_the_pasted_snippet_fits_a_phone_screen(browser, site):
    """The iframe code from /embed/snippet, pasted into a clinic's page, never overflows a 390 px wide phone."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    ours = context.new_page()
    ours.goto(f"{site.url}/embed/snippet")
    snippet = ours.locator("#frame-code").inner_text()
    clinic = context.new_page()  # a page of the clinic's own, with the snippet pasted in
    for width, expected in ((390, 390 - 16), (1280, 400)):  # the body's 8 px margin each side
        clinic.set_viewport_size({"width": width, "height": 844})
        clinic.set_content(f'<!doctype html><meta name="viewport" content="width=device-width">{snippet}')
        box = clinic.locator("iframe").bounding_box()
        assert (box["width"], box["height"]) == (expected, 640)
    context.close()
