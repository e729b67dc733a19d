# followup: the interview follow-up service.
# Not built in this project's CI (no Docker engine there); CI lints this file with hadolint.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FOLLOWUP_DATABASE_URL=sqlite:////data/followup.db

RUN groupadd --system --gid 10001 followup \
    && useradd --system --uid 10001 --gid followup --home-dir /srv/followup --shell /usr/sbin/nologin followup \
    && mkdir -p /data /srv/followup \
    && chown followup:followup /data

WORKDIR /srv/followup
# The dependencies first, in a layer of their own, so that a change to the code
# does not reinstall them; then the service itself, without resolving them again.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
COPY app ./app
RUN pip install --no-cache-dir --no-deps .

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# Probes the port of the CMD below: a `serve --port N` of your own needs a HEALTHCHECK of its own.
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Arguments after the image name are the command's: `docker run IMAGE serve --workers 4`,
# `docker run IMAGE tenants create acme` (without an ENTRYPOINT they named a program).
ENTRYPOINT ["followup"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
