#!/bin/bash
# Write every output the byte-identity promise covers, for comparing two versions with cmp.
#   benchmarks/identical_outputs.sh BWSIM OUTDIR     (BWSIM: the bwsim of the version under test)
# then: for f in $(cd A && find . -name '*.csv' -o -name '*.json'); do cmp A/$f B/$f; done
# (cal.json names its output path and calibrated models carry their date: compare those by eye.)
set -u
B=$1; O=$2
mkdir -p "$O"
"$B" run scenarios/*.yaml --out "$O/det" > "$O/det.txt" 2>&1
"$B" run scenarios/*.yaml --out "$O/s200" --samples 200 --seed 7 > "$O/s200.txt" 2>&1
"$B" run scenarios/*.yaml --out "$O/s200w2" --samples 200 --seed 7 --workers 2 > "$O/s200w2.txt" 2>&1
"$B" run scenarios/medtech-growth.yaml --out "$O/s6000" --samples 6000 --seed 3 > "$O/s6000.txt" 2>&1
"$B" scorecard scenarios/medtech-growth.yaml --samples 300 --seed 2 --json > "$O/score.json" 2>&1
"$B" sensitivity scenarios/medtech-growth.yaml --output life_satisfaction --year 2035 --samples 512 --top 5 \
  --json > "$O/sens.json" 2>&1
"$B" sensitivity scenarios/medtech-growth.yaml --output life_satisfaction --year 2035 --samples 64 \
  --method morris --json > "$O/morris.json" 2>&1
"$B" monitor scenarios/medtech-growth.yaml data/heerlen-observed-illustrative.csv --json > "$O/monitor.json" 2>&1
"$B" calibrate scenarios/medtech-growth.yaml data/heerlen-observed-illustrative.csv \
  --link medtech_jobs:local_service_jobs --link jobs_total:in_commuters \
  --link residents_employed:unemployment_rate --out "$O/cal.yaml" --json > "$O/cal.json" 2>&1
rm -f "$O"/*/manifest.json  # names the command line and the time
