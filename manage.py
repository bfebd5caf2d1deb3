#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "karawang_umkm.settings")
    # manage.py is the developer's tool: with DEBUG unset it runs in development mode. The WSGI
    # entry point (production) has no such default and refuses to start without real secrets.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
