import pytest
from django.core.cache import caches


@pytest.mark.django_db
def test_healthz_reports_every_part_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["channel_layer"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client, settings):
    # A real unreachable server, not a mock: nothing listens on port 1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    try:
        response = client.get("/healthz")
    finally:
        caches["default"].close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["cache"].startswith("down")
    assert body["checks"]["database"] == "ok"


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_checks_redis_layer_and_broker_in_production_mode(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert layer == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert checks == {"database": "ok", "cache": "ok", "channel_layer": "ok", "broker": "ok"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_healthz_reads_postgresql_in_production_mode(client, settings):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert client.get("/healthz").json()["checks"]["database"] == "ok"
