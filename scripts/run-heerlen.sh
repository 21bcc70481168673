#!/usr/bin/env bash
# Set up bwsim and run the main job: compile the numba kernels into their on-disk
# cache (so no later command pays the first compile), validate the built-in
# Heerlen model and its scenarios, run them all (results in out/heerlen/), print
# the effects, then open the app on the Heerlen model. BWSIM_NO_UI=1 skips the app.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${BWSIM_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e .
"$VENV/bin/python" -m simulator.warmup scenarios/medtech-growth.yaml
"$VENV/bin/bwsim" validate models/medtech-heerlen.yaml scenarios/*.yaml
"$VENV/bin/bwsim" run scenarios/*.yaml --out out/heerlen
if [ "${BWSIM_NO_UI:-0}" != 1 ]; then
    exec "$VENV/bin/bwsim" ui
fi
