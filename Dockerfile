# briefbot in a container: `docker build -t briefbot .` then
# `docker run --env-file .env -p 8080:8080 -e PORT=8080 briefbot` (settings: docs/settings.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 briefbot
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .

# The curated store and config ship in the image; mount over them to curate without rebuilding.
COPY briefs ./briefs
COPY config ./config
RUN mkdir -p /app/state && chown briefbot:briefbot /app/state

USER briefbot
ENV BRIEFS_DIR=/app/briefs CONFIG_DIR=/app/config STATE_DIR=/app/state PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os,sys,urllib.request as u; sys.exit(u.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4).status != 200)"
# exec form: briefbot is PID 1 and gets SIGTERM itself, so `docker stop` shuts it down cleanly.
CMD ["briefbot", "run"]
