#!/bin/sh
# manage.py as the services run it: as user karawang, with /etc/karawang-umkm/env, from the
# checkout this script lives in. Run it as root, e.g.
#   /srv/karawang-umkm/deploy/manage.sh migrate
#   /srv/karawang-umkm/deploy/manage.sh createsuperuser
set -eu
cd "$(dirname "$0")/.."
ENV_FILE=${KARAWANG_ENV_FILE:-/etc/karawang-umkm/env}
set -a
DEBUG=0
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a
umask 027
exec runuser -u karawang -- .venv/bin/python manage.py "$@"
