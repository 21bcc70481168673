#!/usr/bin/env bash
# Check that a change leaves every shipped scenario's numbers byte-identical.
#
#   bash scripts/check_identical_results.sh            # this checkout against main
#   bash scripts/check_identical_results.sh abc1234    # ... against another revision
#
# Runs `bwsim run` of this checkout and of REVISION (default main, taken with
# `git archive` into a temporary folder, run with the same environment) on
#   - every scenario file under scenarios/ and examples/ (one run per file; a file
#     that REVISION refuses, a model file, must be refused by this checkout too),
#     each deterministically and with `--samples 200 --seed 7` (exact quantiles);
#   - scenarios/medtech-growth.yaml with `--samples 6000 --seed 3` (histogram quantiles);
#   - the synthetic places model of benchmarks/make_gemeenten_model.py at 30 gemeenten
#     (about 1,000 groups in the t_0 solve), deterministically and with `--samples 40 --seed 5`;
# and compares every file the runs write (manifest.json aside: it names the time) byte
# for byte. Exit status 0: identical; 1: some file differs (each is named).
# BWSIM_VENV (default .venv) names the environment. BWSIM_CHECK_KEEP=DIR keeps
# REVISION's outputs in DIR and reuses them on the next call (same REVISION only).
set -euo pipefail
cd "$(dirname "$0")/.."
REVISION="${1:-main}"
PYTHON="$(cd "$(dirname "${BWSIM_VENV:-.venv}/bin/python")" && pwd)/python"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

git archive "$REVISION" | tar -x -C "$WORK" --one-top-level=reference
"$PYTHON" benchmarks/make_gemeenten_model.py "$WORK/gemeenten" --gemeenten 30 >/dev/null

bwsim() {  # $1: source tree, then bwsim's arguments; prints nothing, keeps the exit status
    local tree="$1"; shift
    (cd "$tree" && PYTHONPATH="$tree" "$PYTHON" -c 'from simulator.cli.main import main; main()' "$@" \
        >/dev/null 2>&1)
}

run_all() {  # $1: source tree, $2: output folder
    local tree="$1" out="$2" file name status
    mkdir -p "$out"
    for file in $(cd "$PWD" && find scenarios examples -name '*.yaml' | sort); do
        name="${file//\//_}"
        status=0; bwsim "$tree" run "$PWD/$file" --out "$out/$name/deterministic" || status=$?
        echo "$status" >"$out/$name.status"
        if [ "$status" = 0 ]; then
            bwsim "$tree" run "$PWD/$file" --out "$out/$name/s200" --samples 200 --seed 7
        fi
    done
    bwsim "$tree" run "$PWD/scenarios/medtech-growth.yaml" --out "$out/medtech-growth/s6000" --samples 6000 --seed 3
    bwsim "$tree" run "$WORK/gemeenten/scenario.yaml" --out "$out/gemeenten/deterministic"
    bwsim "$tree" run "$WORK/gemeenten/scenario.yaml" --out "$out/gemeenten/s40" --samples 40 --seed 5
    find "$out" -name manifest.json -delete
}

BEFORE="${BWSIM_CHECK_KEEP:-$WORK/before}"
if [ -n "${BWSIM_CHECK_KEEP:-}" ] && [ -f "$BEFORE/revision" ] && [ "$(cat "$BEFORE/revision")" = "$(git rev-parse "$REVISION")" ]; then
    echo "reusing $REVISION's outputs in $BEFORE"
else
    rm -rf "$BEFORE"
    run_all "$WORK/reference" "$BEFORE"
    git rev-parse "$REVISION" >"$BEFORE/revision"
fi
run_all "$PWD" "$WORK/after"

status=0
files=0
for file in $(cd "$BEFORE" && find . -type f ! -name revision | sort); do
    files=$((files + 1))
    if [ ! -f "$WORK/after/$file" ]; then
        echo "MISSING in this checkout's run: $file" >&2; status=1
    elif ! cmp -s "$BEFORE/$file" "$WORK/after/$file"; then
        echo "DIFFERENT: $file" >&2; status=1
    fi
done
extra=$(cd "$WORK/after" && find . -type f | while read -r f; do [ -f "$BEFORE/$f" ] || echo "$f"; done)
if [ -n "$extra" ]; then
    echo "only in this checkout's run: $extra" >&2; status=1
fi
if [ "$status" = 0 ]; then
    echo "identical: $files files ($(cat "$BEFORE"/*.status | grep -c '^0$') scenario files run, the rest refused by both)"
fi
exit "$status"
