FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 earshot

COPY pyproject.toml README.md ./
COPY sentiment ./sentiment
COPY collectors ./collectors
COPY dashboards ./dashboards
COPY templates ./templates
COPY manage.py ./
RUN pip install . && mkdir -p /app/var && chown -R earshot /app/var

USER earshot
# collectstatic needs settings only to find files: a throwaway key for this step.
RUN DEBUG=off SECRET_KEY=build EARSHOT_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    EARSHOT_PSEUDONYM_KEY=build python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
CMD ["gunicorn", "sentiment.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
