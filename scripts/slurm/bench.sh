#!/usr/bin/env bash
# Measurements of issue 10 (trials in parallel and on Slurm), printed as a small report.
#   1. determinism: the same training transfer in process, on 1/2/4 local workers and on Slurm
#      (batch 1 and batch 4) gives the same result JSON, timings aside;
#   2. local speed-up: wall time of 16 tiny CPU trainings on 1 vs 2 worker processes;
#   3. Slurm overhead: submit-to-start latency and trials/s for 100 tiny trials in one wave;
#   4. exactly once: the controller is killed with SIGKILL at KILLS random points of a 40-trial
#      Slurm run and resumed; each final JSON must equal the uninterrupted run's and no trial may
#      be trained twice (trainings.log, one line per training started, vs the result files).
# Starts its own one-node cluster (scripts/slurm/cluster-up.sh) and stops it by PID.
#   5. the same with local workers (--executor local:2): workers outlive the killed controller and
#      are adopted by the restarted one.
# Env: NASNB (binary, default build/bin/nasnb), NASNB_DATA, KILLS (default 10), LKILLS (default 5),
#      SECTIONS (default "1 2 3 4 5"), OUT (report folder).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NASNB=${NASNB:-$ROOT/build/bin/nasnb}
KILLS=${KILLS:-10}
OUT=${OUT:-$ROOT/build/bench-executor}
command -v jq >/dev/null || { echo "bench.sh needs jq (apt-get install jq)" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nasnb-bench-XXXXXX); chmod 755 "$WORK"
BASE=$WORK/cluster
export NASNB_TRAIN_IMAGES=256 NASNB_TRAIN_VAL=128 NASNB_TRAIN_TEST=128 NASNB_TRAIN_CHANNELS=4 NASNB_TRAIN_CELLS=1 NASNB_TRAIN_EPOCHS=1 NASNB_TRAIN_BATCH=32
cleanup() { BASE=$BASE WIPE=1 bash "$ROOT/scripts/slurm/cluster-down.sh" >/dev/null 2>&1 || true; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BASE=$BASE CPUS=${CPUS:-2} CTLD_PORT=$(port) SLURMD_PORT=$(port) bash "$ROOT/scripts/slurm/cluster-up.sh" > "$OUT/cluster-up.txt"
export SLURM_CONF=$BASE/etc/slurm.conf
# timings aside: wall seconds, finish times, journal paths, time to first step
norm() { jq -S 'walk(if type == "object" then del(.seconds, .time, .journal) | (if has("extra") then .extra |= del(.first_step_s) else . end) else . end)' "$1"; }
now() { date +%s.%N; }
report() { echo "$*" | tee -a "$OUT/report.txt"; }
want() { [[ " ${SECTIONS:-1 2 3 4 5} " == *" $1 "* ]]; }

# ---- 1. determinism -------------------------------------------------------------------------
if want 1; then
T=(transfer --evaluator train --target synthetic --budget 8 --population 3 --tournament 2 --warmup 1 --adapt-every 2 --seeds 0-1 --methods lapt,rea-full)
report "== 1. determinism: ${T[*]}"
for batch in 1 4; do
  runs=()
  [ "$batch" = 1 ] && runs+=(inproc)
  runs+=(local:1 local:2 local:4 slurm)
  for ex in "${runs[@]}"; do
    name=b$batch-${ex/:/}
    args=("${T[@]}" --journal "$WORK/$name" --json "$OUT/$name.json")
    if [ "$ex" != inproc ]; then args+=(--executor "$ex" --batch "$batch"); fi
    [ "$ex" = slurm ] && args+=(--poll 200ms --run-dir "$WORK/$name/trials")
    t0=$(now); "$NASNB" "${args[@]}" > "$OUT/$name.txt" 2>&1; t1=$(now)
    norm "$OUT/$name.json" > "$OUT/$name.norm"
    # every principle version of every LAPT run, from the journals
    ph=$(cat "$WORK/$name"/train-lapt-*.jsonl | jq -c 'select(.kind=="principles") | .data' | sha256sum | cut -c1-16)
    report "$(printf 'batch %d %-8s %6.1fs  sha256(JSON, timings aside) %s  sha256(principle versions) %s' "$batch" "$ex" "$(echo "$t1 - $t0" | bc)" "$(sha256sum < "$OUT/$name.norm" | cut -c1-16)" "$ph")"
  done
done
fi

# ---- 2. local speed-up ----------------------------------------------------------------------
if want 2; then
S=(transfer --evaluator train --target synthetic --methods rea-full --seeds 0 --budget 16 --population 16 --tournament 2)
report "== 2. local speed-up, 16 tiny trainings: ${S[*]} --batch 16"
for threads in 1 0; do
  for w in 1 2; do
    name=speed-w$w-t$threads
    t0=$(now); "$NASNB" "${S[@]}" --executor local:$w --batch 16 --threads $threads --journal "$WORK/$name" --json "$OUT/$name.json" > "$OUT/$name.txt" 2>&1; t1=$(now)
    w_s=$(echo "$t1 - $t0" | bc); eval "wall_${w}_${threads}=$w_s"
    report "$(printf 'local:%d --threads %d (0 = GOMAXPROCS default): %6.2fs wall' "$w" "$threads" "$w_s")"
  done
  report "$(printf '  speed-up 2 vs 1 workers (threads %d): %.2fx' "$threads" "$(eval echo "\$wall_1_$threads / \$wall_2_$threads" | bc -l)")"
done
fi

# ---- 3. Slurm overhead ----------------------------------------------------------------------
if want 3; then
report "== 3. Slurm, 100 tiny trials in one wave (--batch 100, 2 CPUs)"
name=slurm100
t0=$(now)
"$NASNB" transfer --evaluator train --target synthetic --methods rea-full --seeds 0 --budget 100 --population 100 --tournament 2 \
  --executor slurm --batch 100 --poll 200ms --journal "$WORK/$name" --json "$OUT/$name.json" > "$OUT/$name.txt" 2>&1
t1=$(now)
dir=$WORK/$name/trials
python3 - "$dir" "$t0" "$t1" <<'PY' | tee -a "$OUT/report.txt"
import json, glob, os, sys, datetime, statistics
d, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ts = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
recs = [json.load(open(p)) for p in glob.glob(d + "/results/*.json")]
# a trial is submitted right after jobs/ID.wave is written (then sbatch)
lat = sorted(ts(r["started"]) - os.path.getmtime(f"{d}/jobs/{r['id']}.wave") for r in recs)
starts = sorted(ts(r["started"]) for r in recs)
ends = sorted(ts(r["finished"]) for r in recs)
train = [ts(r["finished"]) - ts(r["started"]) for r in recs]
waves = len(glob.glob(d + "/waves/*.job"))
print(f"{len(recs)} results in {waves} wave(s); controller wall {t1-t0:.1f}s = {len(recs)/(t1-t0):.2f} trials/s end to end; "
      f"first start -> last result {ends[-1]-starts[0]:.1f}s = {len(recs)/(ends[-1]-starts[0]):.2f} trials/s; "
      f"worker time per trial (data + graph + training) median {statistics.median(train):.2f}s")
print(f"submit-to-start latency: first trial {lat[0]:.2f}s; per trial with queueing behind 2 slots median {statistics.median(lat):.1f}s, max {lat[-1]:.1f}s")
PY
fi

# ---- 4. kill -9 and resume ------------------------------------------------------------------
if want 4; then
K=(transfer --evaluator train --target synthetic --budget 10 --population 3 --tournament 2 --warmup 1 --adapt-every 2 --seeds 0-1 --methods lapt,rea-full --executor slurm --batch 2 --poll 200ms)
report "== 4. kill -9 of the controller at $KILLS random points of a 40-trial Slurm run, then resume: ${K[*]}"
t0=$(now); "$NASNB" "${K[@]}" --journal "$WORK/ref" --json "$OUT/kill-ref.json" > "$OUT/kill-ref.txt" 2>&1; t1=$(now)
ref_wall=$(echo "$t1 - $t0" | bc)
norm "$OUT/kill-ref.json" > "$OUT/kill-ref.norm"
report "$(printf 'uninterrupted: %.1fs, %d result files' "$ref_wall" "$(ls "$WORK/ref/trials/results" | wc -l)")"
ok=0
for i in $(seq 1 "$KILLS"); do
  at=$(python3 -c "import random; random.seed($i); print(round(random.uniform(0.5, $ref_wall - 1), 2))")
  j=$WORK/kill$i
  "$NASNB" "${K[@]}" --journal "$j" --json "$OUT/kill$i.json" > "$OUT/kill$i-a.txt" 2>&1 & pid=$!
  sleep "$at"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  before=$(ls "$j/trials/results" 2>/dev/null | wc -l)
  "$NASNB" "${K[@]}" --journal "$j" --json "$OUT/kill$i.json" > "$OUT/kill$i-b.txt" 2>&1
  norm "$OUT/kill$i.json" > "$OUT/kill$i.norm"
  same=no; cmp -s "$OUT/kill$i.norm" "$OUT/kill-ref.norm" && same=yes
  results=$(ls "$j/trials/results" | wc -l)
  starts=$(wc -l < "$j/trials/trainings.log")
  twice=$(cut -d' ' -f1 "$j/trials/trainings.log" | sort | uniq -d | wc -l)
  adopted=$(grep -c ' adopted ' "$OUT/kill$i-b.txt" || true)
  [ "$same" = yes ] && [ "$twice" = 0 ] && ok=$((ok + 1))
  report "$(printf 'kill %2d at %5.2fs: %2d results before kill, %2d after resume, %2d trainings started, %d trained twice, %d adopted jobs, same result: %s' \
    "$i" "$at" "$before" "$results" "$starts" "$twice" "$adopted" "$same")"
done
report "exactly once: $ok of $KILLS kill/resume runs gave the uninterrupted result with no trial trained twice"
fi

# ---- 5. kill -9 and resume, local workers -----------------------------------------------------
if want 5; then
L=(transfer --evaluator train --target synthetic --budget 10 --population 3 --tournament 2 --warmup 1 --adapt-every 2 --seeds 0-1 --methods lapt,rea-full --executor local:2 --batch 2)
LKILLS=${LKILLS:-5}
report "== 5. kill -9 of the controller at $LKILLS random points of a 40-trial local:2 run, then resume: ${L[*]}"
t0=$(now); "$NASNB" "${L[@]}" --journal "$WORK/lref" --json "$OUT/lkill-ref.json" > "$OUT/lkill-ref.txt" 2>&1; t1=$(now)
lref_wall=$(echo "$t1 - $t0" | bc)
norm "$OUT/lkill-ref.json" > "$OUT/lkill-ref.norm"
report "$(printf 'uninterrupted: %.1fs' "$lref_wall")"
lok=0
for i in $(seq 1 "$LKILLS"); do
  at=$(python3 -c "import random; random.seed(100 + $i); print(round(random.uniform(0.5, $lref_wall - 1), 2))")
  j=$WORK/lkill$i
  "$NASNB" "${L[@]}" --journal "$j" --json "$OUT/lkill$i.json" > "$OUT/lkill$i-a.txt" 2>&1 & pid=$!
  sleep "$at"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  before=$(ls "$j/trials/results" 2>/dev/null | wc -l)
  "$NASNB" "${L[@]}" --journal "$j" --json "$OUT/lkill$i.json" > "$OUT/lkill$i-b.txt" 2>&1
  norm "$OUT/lkill$i.json" > "$OUT/lkill$i.norm"
  same=no; cmp -s "$OUT/lkill$i.norm" "$OUT/lkill-ref.norm" && same=yes
  twice=$(cut -d' ' -f1 "$j/trials/trainings.log" | sort | uniq -d | wc -l)
  adopted=$(grep -c ' adopted ' "$OUT/lkill$i-b.txt" || true)
  [ "$same" = yes ] && [ "$twice" = 0 ] && lok=$((lok + 1))
  report "$(printf 'kill %d at %5.2fs: %2d results before kill, %2d after resume, %2d trainings started, %d trained twice, %d adopted workers, same result: %s' \
    "$i" "$at" "$before" "$(ls "$j/trials/results" | wc -l)" "$(wc -l < "$j/trials/trainings.log")" "$twice" "$adopted" "$same")"
done
report "exactly once (local): $lok of $LKILLS kill/resume runs gave the uninterrupted result with no trial trained twice"
fi

echo "report: $OUT/report.txt"
