# The Seamscope image: one image, the command picks the role (worker, sink, ...).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY seamscope ./seamscope
COPY schemas ./schemas
COPY streams ./streams
COPY sinks ./sinks
COPY dashboards ./dashboards
COPY seamscope.yaml ./
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT ["seamscope"]
