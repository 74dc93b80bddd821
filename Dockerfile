# The portal's production image: gunicorn by default; the same image runs the
# Celery worker and beat with another command (see compose.yaml).
# Build: docker build -t asean-portal .

# --- Build stage: the dependencies, the compiled messages, the static files.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# msgfmt for compilemessages; only in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH

# Every package pinned with its hash (requirements.lock, written by `make lock`).
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes --no-deps --only-binary=:all: -r /tmp/requirements.lock

WORKDIR /app
COPY . .
# Settings need a secret key to load; this one exists only during the build.
RUN SECRET_KEY=build-only-not-a-secret python manage.py compilemessages -v0 \
    && SECRET_KEY=build-only-not-a-secret STATIC_ROOT=/app/staticfiles \
       python manage.py collectstatic --noinput -v0

# --- Final stage: no compilers, no build tools, a user without privileges.
FROM python:3.11-slim

ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    BEHIND_PROXY=1 \
    LOG_FORMAT=json

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
# The code is root's and read-only to the portal; only these are its own.
RUN mkdir -p /app/media /app/var \
    && chown portal:portal /app/media /app/var

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

CMD ["gunicorn", "asean_portal.wsgi", "--workers", "2", "--bind", "0.0.0.0:8000", \
     "--logger-class", "asean_portal.ops.logs.AccessLogger", "--access-logfile", "-"]
