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


class ShortSealingKey(RealSecret):
    TWO_STEP_KEY = "short"


def test_production_refuses_a_short_two_step_sealing_key():
    with pytest.raises(RuntimeError, match="TWO_STEP_KEY"):
        create_app(ShortSealingKey)
