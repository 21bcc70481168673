#!/usr/bin/env bash
# Check that a change leaves every shipped scenario's numbers byte-identical.
#
#   bash scripts/check_identical_results.sh            # this checkout against main
#   bash scripts/check_identical_results.sh abc1234    # ... against another revision
#
# Runs `bwsim run scenarios/*.yaml` of this checkout and of REVISION (default
# main, taken with `git archive` into a temporary folder, run with the same
# environment), each deterministically and with `--samples 200 --seed 7`, and
# compares results.csv and ensemble.csv byte for byte. Exit status 0: identical;
# 1: some file differs (each is named). BWSIM_VENV (default .venv) names the
# environment.
set -euo pipefail
cd "$(dirname "$0")/.."
REVISION="${1:-main}"
PYTHON="${BWSIM_VENV:-.venv}/bin/python"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

git archive "$REVISION" | tar -x -C "$WORK" --one-top-level=reference

run_all() {  # $1: source tree, $2: output folder
    local tree="$1" out="$2"
    (cd "$tree" && PYTHONPATH="$tree" "$OLDPWD/$PYTHON" -c 'from simulator.cli.main import main; main()' \
        run scenarios/*.yaml --out "$out/deterministic" >/dev/null)
    (cd "$tree" && PYTHONPATH="$tree" "$OLDPWD/$PYTHON" -c 'from simulator.cli.main import main; main()' \
        run scenarios/*.yaml --out "$out/ensemble" --samples 200 --seed 7 >/dev/null)
}

run_all "$WORK/reference" "$WORK/before"
run_all "$PWD" "$WORK/after"

status=0
for file in deterministic/results.csv ensemble/results.csv ensemble/ensemble.csv; do
    if [ ! -f "$WORK/before/$file" ]; then
        echo "missing in $REVISION's run: $file" >&2; status=1
    elif cmp -s "$WORK/before/$file" "$WORK/after/$file"; then
        echo "identical: $file ($(wc -c <"$WORK/after/$file") bytes)"
    else
        echo "DIFFERENT: $file" >&2; status=1
    fi
done
exit "$status"
