"""The production entry point (gunicorn serves `karawang_umkm.wsgi:application`).

Unlike `manage.py`, it gives DEBUG no default: the settings then run in production mode and
refuse to start without a real SECRET_KEY and ALLOWED_HOSTS. DEBUG=1 must be asked for.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "karawang_umkm.settings")
application = get_wsgi_application()
