FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected at build time and served by whitenoise.
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 salesmgmt
USER salesmgmt

EXPOSE 8000
CMD ["gunicorn", "salesmgmt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
