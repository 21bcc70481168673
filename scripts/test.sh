#!/usr/bin/env bash
# Set up everything the tests need and run them: a virtual environment with bwsim
# and its test extras, Debian's chromium (browser tests) and postgresql (workshop
# tests on a real server), then pytest. Extra arguments go to pytest.
#
#   bash scripts/test.sh                 # the whole suite
#   bash scripts/test.sh tests/export    # a part of it
#
# BWSIM_VENV (default .venv) names the environment; BWSIM_FRESH_VENV=1 rebuilds it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${BWSIM_VENV:-.venv}"

if [ "${BWSIM_FRESH_VENV:-0}" = 1 ]; then rm -rf "$VENV"; fi
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[test]'

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x /usr/bin/chromium ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql >/dev/null
fi

if [ -z "${BWSIM_TEST_POSTGRES_URL:-}" ]; then
    BWSIM_TEST_POSTGRES_URL="$(as_root sh .ci/start-postgres | tail -n 1)"
    export BWSIM_TEST_POSTGRES_URL
fi

exec "$VENV/bin/python" -m pytest "$@"
