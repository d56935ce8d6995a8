# One image for every Lakay process (web, ws, consume, bronze, relay, worker, beat); the command differs.
FROM python:3.12-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=lakay.settings

RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 lakay

COPY requirements.lock /tmp/requirements.lock
RUN python -m venv $VIRTUAL_ENV \
    && pip install --no-cache-dir uv==0.13.9 \
    && uv pip install --no-cache -r /tmp/requirements.lock

WORKDIR /app
COPY --chown=lakay:lakay . /app
RUN SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --no-input -v0

USER lakay
EXPOSE 8000 8001
CMD ["gunicorn", "lakay.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
