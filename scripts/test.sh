#!/usr/bin/env bash
# Set up everything the tests need and run them: a virtual environment with bwsim
# and its test extras, Debian's chromium (browser tests) and postgresql (workshop
# tests on a real server), then pytest. Extra arguments go to pytest.
#
#   bash scripts/test.sh                 # the whole suite (two halves side by side)
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

# Asked for a part (a test file or folder among the arguments, tests/x.py::name included): that part, as asked.
for arg in "$@"; do
    if [ -e "${arg%%::*}" ]; then exec "$VENV/bin/python" -m pytest "$@"; fi
done

# The whole suite: two halves side by side, one a core (the app and workshop tests, with the browser
# and PostgreSQL, and the runs in other engines, PySD and Simlin, in one; the rest in the other), so it
# takes about half the time. The other engines' tests balance the halves: without them the library half
# took 20 min and the app half 16 min side by side. The second half's output follows the first's; the
# run fails when either half fails.
SECOND_HALF=(tests/ui tests/workshop tests/export/test_crosscheck.py tests/export/test_pysd_agreement.py)
app_log="$(mktemp)"
trap 'rm -f "$app_log"' EXIT
"$VENV/bin/python" -m pytest "$@" "${SECOND_HALF[@]}" >"$app_log" 2>&1 &
app_pid=$!
status=0
"$VENV/bin/python" -m pytest "$@" tests "${SECOND_HALF[@]/#/--ignore=}" || status=$?
app_status=0
wait "$app_pid" || app_status=$?
echo
echo "== the second half: ${SECOND_HALF[*]} =="
cat "$app_log"
if [ "$status" -ne 0 ] || [ "$app_status" -ne 0 ]; then
    echo "scripts/test.sh: failed (first half: exit $status; second half: exit $app_status)" >&2
    exit 1
fi
