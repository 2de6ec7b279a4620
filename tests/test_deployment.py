"""The container files agree with the code: Docker is not installed here, so they are read, not run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from faqbot.config import ENV_PREFIX, SETTINGS, env_overrides

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text()


def final_stage() -> str:
    """The Dockerfile's last stage: what the running container is."""
    return DOCKERFILE[DOCKERFILE.rindex("\nFROM ") :]


def test_the_image_runs_as_a_user_without_privileges():
    """The running stage switches to a non-root user before its command, from a slim Python base."""
    stage = final_stage()
    user = re.findall(r"^USER (\S+)", stage, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert stage.index("\nUSER ") < stage.index("\nCMD ")
    assert re.search(r"^ARG PYTHON=python:3\.\d+-slim", DOCKERFILE, re.MULTILINE)


def test_the_image_checks_its_health_on_the_api():
    """Docker's health check asks /api/health of the server inside the container."""
    [check] = [line for line in final_stage().replace("\\\n", " ").splitlines() if line.startswith("HEALTHCHECK ")]
    assert "/api/health" in check and "127.0.0.1:8000" in check
    assert '"--port", "8000"' in final_stage()


def test_knowledge_and_model_are_baked_in():
    """The knowledge base, the fitted parameters and the built model are in the image; local state is not."""
    stage = final_stage()
    for folder in ("knowledge", "models", "fitting", "web", "faqbot"):
        assert f"/app/{folder} " in stage, folder
    assert "scripts/build_model.py" in DOCKERFILE and "faqbot check" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "instance", ".env", "*.sqlite*"} <= set(ignored)


def test_compose_runs_several_replicas_behind_a_proxy_on_postgresql_and_redis():
    """compose.yaml: at least two app replicas, PostgreSQL, Redis and Caddy in front."""
    services = COMPOSE["services"]
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"].startswith("caddy:")
    assert app["environment"]["FAQBOT_DATABASE_URL"].startswith("postgresql://")
    assert app["environment"]["FAQBOT_REDIS_URL"] == "redis://redis:6379/0"
    assert "ports" not in app  # only the proxy can be reached from outside
    assert {"db", "redis"} <= set(app["depends_on"])


def test_the_app_trusts_forwarded_headers_from_the_proxy_only():
    """BEHIND_PROXY is on and TRUSTED_PROXIES is exactly the proxy's fixed address on the shared network."""
    services = COMPOSE["services"]
    environment = services["app"]["environment"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    assert environment["FAQBOT_BEHIND_PROXY"] == "true"
    assert environment["FAQBOT_TRUSTED_PROXIES"] == proxy_address
    subnet = COMPOSE["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert proxy_address.startswith(subnet.rsplit(".", 1)[0] + ".")
    assert "reverse_proxy" in CADDYFILE and "dynamic a app 8000" in CADDYFILE


def test_every_setting_compose_passes_exists_and_parses():
    """Each FAQBOT_ variable in compose.yaml is a declared setting, and its literal values are valid."""
    environment = COMPOSE["services"]["app"]["environment"]
    names = {name.removeprefix(ENV_PREFIX) for name in environment}
    assert names <= set(SETTINGS)
    literal = {name: value for name, value in environment.items() if "${" not in value}
    env_overrides(literal)  # raises, naming the key, on a bad value


def test_no_file_still_sets_the_retired_shared_password():
    """Staff log in with accounts in the database: neither compose nor the example .env sets the old hash."""
    environment = COMPOSE["services"]["app"]["environment"]
    example = (ROOT / "deploy" / "env.example").read_text()
    assert "STAFF_PASSWORD_HASH" not in str(environment) and "STAFF_PASSWORD_HASH" not in example
    assert "STAFF_PASSWORD_HASH" not in DOCKERFILE and "STAFF_PASSWORD_HASH" not in SETTINGS
