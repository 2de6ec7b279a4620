"""/api/openapi.json describes what the endpoints really do: checked against real responses."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

EXCHANGES = [
    # (method, path, request arguments, expected status)
    ("post", "/api/chat", {"json": {"message": "what is a dental implant"}}, 200),
    ("post", "/api/chat", {"json": {"message": "can I pay with bitcoin", "conversation": None}}, 200),
    ("post", "/api/chat", {"json": {"message": "my gum has been bleeding for hours and it won't stop"}}, 200),
    ("post", "/api/chat", {"json": {"message": "x" * 501}}, 400),
    ("post", "/api/chat", {"data": "{", "content_type": "application/json"}, 400),
    ("post", "/api/chat", {"data": "hello"}, 415),
    ("post", "/api/chat", {"json": {"message": "x" * 20_000}}, 413),
    ("post", "/api/feedback", {"json": {"entry": "what-is-implant", "vote": "up", "reply": "<token>"}}, 201),
    ("post", "/api/feedback", {"json": {"entry": "what-is-implant", "vote": "up", "reply": "forged"}}, 400),
    ("post", "/api/feedback", {"json": {"entry": "what-is-implant", "vote": "sideways"}}, 400),
    ("post", "/api/feedback", {"data": "x", "content_type": "text/plain"}, 415),
    ("get", "/api/health", {}, 200),
]


@pytest.fixture
def document(client):
    """The served OpenAPI document."""
    return client.get("/api/openapi.json").get_json()


def validate(document: dict, method: str, path: str, status: int, body: object) -> None:
    """Validate a response body against the schema the document gives for that status."""
    operation = document["paths"][path][method]
    assert str(status) in operation["responses"], f"{method.upper()} {path} {status} is not documented"
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    # Resolve "#/components/..." against the whole document.
    registry = Registry().with_resource("urn:faqbot", DRAFT202012.create_resource(document))
    absolute = {"$ref": "urn:faqbot" + schema["$ref"]}
    Draft202012Validator(absolute, registry=registry).validate(body)


def test_document_is_openapi_3_1_and_lists_every_api_route(app, document):
    """Every /api route the app serves is documented with the same methods, and nothing more."""
    served = {
        (rule.rule, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert document["openapi"] == "3.1.0"
    assert documented == served


@pytest.mark.parametrize(("method", "path", "arguments", "status"), EXCHANGES)
def test_real_responses_match_the_documented_schemas(client, document, method, path, arguments, status):
    """Each real response has a documented status and a body valid against its documented schema."""
    if arguments.get("json", {}).get("reply") == "<token>":  # a real token, from a real answer
        token = client.post("/api/chat", json={"message": "what is a dental implant"}).get_json()["feedback_token"]
        arguments = {"json": {**arguments["json"], "reply": token}}
    response = getattr(client, method)(path, **arguments)
    assert response.status_code == status
    validate(document, method, path, status, response.get_json())


def test_documented_requests_are_the_ones_accepted(client, document):
    """The documented request schema accepts a real request and rejects what the API refuses."""
    schema = document["components"]["schemas"]["ChatRequest"]
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"message": "what is an implant", "conversation": None})
    for refused in ({}, {"message": ""}, {"message": "x" * 501}, {"message": 3}):
        assert not validator.is_valid(refused)
        assert client.post("/api/chat", json=refused).status_code == 400


def test_rate_limited_requests_are_documented(make_app):
    """A 429 from the limiter is a documented response with the Error schema."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_POST="1 per minute")
    client = app.test_client()
    document = client.get("/api/openapi.json").get_json()
    client.post("/api/chat", json={"message": "hi"})
    response = client.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 429
    validate(document, "post", "/api/chat", 429, response.get_json())
