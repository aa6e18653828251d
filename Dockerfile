# Threadline production image: one image, three roles (web, worker, beat) chosen by the command.
#   docker build -t threadline .
#   docker run -e SECRET_KEY=… -e DATABASE_URL=postgres://… -e REDIS_URL=redis://… threadline            # web
#   docker run … threadline celery -A config worker --loglevel INFO                                     # worker
#   docker run … threadline celery -A config beat --loglevel INFO --schedule /tmp/celerybeat-schedule   # beat
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings STATIC_MANIFEST=1 \
    STATIC_ROOT=/app/staticfiles THREADLINE_VAR_DIR=/app/var MEDIA_ROOT=/app/var/media
RUN groupadd --system threadline && useradd --system --gid threadline --home-dir /app threadline
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=threadline:threadline . .
# collectstatic needs settings to load, not real secrets: a throwaway key is used for this step only.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R threadline:threadline /app/var /app/staticfiles
USER threadline
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys,urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# Bind, workers and proxy trust come from config/gunicorn.py: X-Forwarded-* are believed only with
# BEHIND_PROXY=1 (and by gunicorn only from FORWARDED_ALLOW_IPS), never from any client.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
