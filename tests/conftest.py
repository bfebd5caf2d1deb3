import pytest


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Fast hashing: the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
