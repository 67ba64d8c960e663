import pytest

from app import create_app
from config import INSECURE_DEV_KEY, ProductionConfig


class NoSecret(ProductionConfig):
    SECRET_KEY = INSECURE_DEV_KEY


class ShortSecret(ProductionConfig):
    SECRET_KEY = "too-short"


class RealSecret(ProductionConfig):
    SECRET_KEY = "x" * 48
    SQLALCHEMY_DATABASE_URI = "sqlite://"


@pytest.mark.parametrize("config", [NoSecret, ShortSecret])
def test_production_refuses_to_start_without_a_real_secret(config):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_real_secret_and_secure_cookies():
    app = create_app(RealSecret)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DISPLAY_TIMEZONE"] == "Europe/London"
