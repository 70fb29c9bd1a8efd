# nightowl's container image: `docker build -t nightowl .` from the repository root.
# Two stages: the first builds the wheel and a virtualenv with the `postgres` and `kubernetes`
# extras; the second copies only that virtualenv onto a slim Python, runs as an unprivileged
# user, and probes GET /healthz (store reachability). See docs/deploy.md.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY nightowl ./nightowl
RUN python -m venv /opt/nightowl \
 && /opt/nightowl/bin/pip install --upgrade pip \
 && /opt/nightowl/bin/pip install ".[postgres,kubernetes]"

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="nightowl" \
      org.opencontainers.image.description="The open-source AI SRE that takes the 3 AM page" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 nightowl \
 && useradd --system --uid 10001 --gid nightowl --home-dir /var/lib/nightowl \
      --shell /usr/sbin/nologin nightowl \
 && install -d -o nightowl -g nightowl -m 0700 /var/lib/nightowl
COPY --from=build /opt/nightowl /opt/nightowl
ENV PATH=/opt/nightowl/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    NIGHTOWL_DATA_DIR=/var/lib/nightowl
USER 10001:10001
WORKDIR /var/lib/nightowl
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["nightowl"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
