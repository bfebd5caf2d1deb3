import shutil
import tempfile
from pathlib import Path

import pytest

_uploads = Path(tempfile.mkdtemp(prefix="karawang-umkm-tests-"))


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Fast hashing: the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads (demo photos, documents) go to a throwaway folder, not the project's.
    settings.MEDIA_ROOT = _uploads / "media"
    settings.PRIVATE_MEDIA_ROOT = _uploads / "private"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_uploads, ignore_errors=True)
