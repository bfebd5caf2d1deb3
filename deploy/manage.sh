#!/bin/sh
# manage.py as the services run it: as user karawang, with /etc/karawang-umkm/env, from the
# checkout this script lives in. Run it as root, e.g.
#   /srv/karawang-umkm/deploy/manage.sh migrate
#   /srv/karawang-umkm/deploy/manage.sh createsuperuser
set -eu
cd "$(dirname "$0")/.."
# The checkout belongs to root: without this, git refuses it to user karawang ("dubious
# ownership") and `backup` writes no commit into its manifest.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0="$(pwd)"
ENV_FILE=${KARAWANG_ENV_FILE:-/etc/karawang-umkm/env}
set -a
DEBUG=0
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a
umask 027
exec runuser -u karawang -- .venv/bin/python manage.py "$@"
