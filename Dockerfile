FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# dependencies first (a layer that survives code changes), then the code; see .dockerignore
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "partybuild.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
