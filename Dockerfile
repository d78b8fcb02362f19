FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected at build time and served by whitenoise.
# Collected with production settings so whitenoise finds its manifest at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py compile_catalogues \
    && DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 salesmgmt
USER salesmgmt

EXPOSE 8000
CMD ["gunicorn", "salesmgmt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket", "--access-logfile", "-"]
