FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY projections projections
COPY consumers consumers
COPY api api
RUN pip install --no-cache-dir .
COPY examples examples
ENTRYPOINT ["attendance"]
