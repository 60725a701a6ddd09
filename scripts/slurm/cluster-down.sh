#!/usr/bin/env bash
# Stop the nasnb test cluster started by cluster-up.sh: by PID file only, never by name.
set -u
BASE=${BASE:?set BASE to a scratch directory}
export SLURM_CONF=$BASE/etc/slurm.conf
# cancel everything first so slurmstepd/job processes go away cleanly
ids=$(squeue -h -o %A 2>/dev/null | sort -u || true)
[ -n "$ids" ] && scancel $ids >/dev/null 2>&1
for i in $(seq 1 50); do [ -z "$(squeue -h -t R,CG 2>/dev/null)" ] && break; sleep 0.1; done
stop() { # $1 = pid file
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$1"
}
stop "$BASE/run/slurmd.pid"
stop "$BASE/run/slurmctld.pid"
stop "$BASE/run/munged.pid"
[ "${WIPE:-0}" = 1 ] && rm -rf "$BASE"
exit 0
