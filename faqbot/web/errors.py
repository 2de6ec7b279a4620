"""Errors: one canonical JSON body for the API, pages in the site's style for people.

As in Datasette, the JSON body is built in exactly one function, `error_body`, and pages are chosen
from `[f"{status}.html", "error.html"]`. Neither ever echoes the request back: a patient's message
or a crafted URL must not reappear in an error.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# What a person is told for each status; never built from the request.
MESSAGES: dict[int, str] = {
    400: "The request could not be understood.",
    403: "This action is not allowed.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    413: "The request is too large.",
    415: "Send the request as JSON (Content-Type: application/json).",
    429: "Too many requests in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Please try again, or call the clinic.",
    503: "This service is briefly unavailable. Please try again shortly.",
}
TITLES: dict[int, str] = {
    400: "Something was wrong with that request",
    404: "Page not found",
    429: "Please slow down",
    500: "Something went wrong",
}


class ApiError(Exception):
    """A request the API refuses, with a message a person can act on."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def error_body(message: str, status: int) -> Response:
    """Return the canonical JSON error response: {"error": message, "status": status}."""
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Answer every error with the canonical JSON body under /api/ and an HTML page elsewhere."""
    app.register_error_handler(ApiError, lambda error: error_body(error.message, error.status))
    app.register_error_handler(CSRFError, _csrf_error)
    # An unexpected exception reaches this as InternalServerError after Flask has logged its traceback
    # (in debug and testing it propagates to the debugger and the test instead).
    app.register_error_handler(HTTPException, _http_error)


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _respond(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json():
        response = error_body(message, status)
    else:
        page = render_template(
            [f"{status}.html", "error.html"], status=status, title=TITLES.get(status, "Sorry"), message=message
        )
        response = Response(page, status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    # Keep what the protocol needs (Allow on 405, Retry-After on 429), drop the rest of werkzeug's response.
    kept = {k: v for k, v in error.get_headers() if k in {"Allow", "Retry-After"}}
    if error.response is not None:
        kept.update({k: v for k, v in error.response.headers.items() if k == "Retry-After" or k.startswith("X-Rate")})
    message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    if status == 413:
        message = f"The request is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes."
    return _respond(status, message, kept)


def _csrf_error(error: CSRFError) -> Response:
    # The no-JS form outlived its session (or came from another site): say what to do, keep the words out.
    message = "Your message was not sent because the page had expired. Please go back, reload and send it again."
    return _respond(400, message)
