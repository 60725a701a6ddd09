#!/usr/bin/env bash
# nasnb's test cluster: a throw-away one-node Slurm cluster entirely under $BASE (nothing in
# /etc touched, private munge key and socket, own ports). Used by lapt/executor/slurm's TestMain
# and `make test-slurm`; stop it with scripts/slurm/cluster-down.sh (by PID file, never by name).
# Usage: BASE=$(mktemp -d) ./cluster-up.sh        then: export SLURM_CONF=$BASE/etc/slurm.conf
# Env:  AUTH=munge|none   CPUS=<n> (default nproc; >nproc uses config_overrides)
#       CTLD_PORT / SLURMD_PORT   SLURMD_TIMEOUT (s, default 10)   GPUS=<n> fake GPUs (test only)
set -euo pipefail
BASE=${BASE:?set BASE to a scratch directory}
AUTH=${AUTH:-munge}
CPUS=${CPUS:-$(nproc)}
CTLD_PORT=${CTLD_PORT:-16817}
SLURMD_PORT=${SLURMD_PORT:-16818}
SLURMD_TIMEOUT=${SLURMD_TIMEOUT:-10}
GPUS=${GPUS:-0}
NODE=$(hostname -s)
MEM=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
MEM=$((MEM * 9 / 10))

t0=$(date +%s%N)
mkdir -p "$BASE"/{etc,state,spool/$NODE,log,run,munge,shared}
chmod 755 "$BASE" "$BASE"/run
export SLURM_CONF=$BASE/etc/slurm.conf

# ---- munge (auth) ---------------------------------------------------------
if [ "$AUTH" = munge ]; then
  chmod 700 "$BASE/munge"
  [ -f "$BASE/munge/munge.key" ] || mungekey --create --keyfile="$BASE/munge/munge.key"
  chmod 400 "$BASE/munge/munge.key"
  # runs as root here (CI is root); munged forks & writes its pid file
  munged --key-file="$BASE/munge/munge.key" --socket="$BASE/run/munge.socket" \
         --pid-file="$BASE/run/munged.pid" --log-file="$BASE/log/munged.log" \
         --seed-file="$BASE/munge/munged.seed"
  AUTHCONF="AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$BASE/run/munge.socket,cred_expire=${CRED_EXPIRE:-30}"
else
  # auth/none works in Slurm 22.05 (Debian 12); insecure, test-only, do not rely on it in newer Slurm
  AUTHCONF="AuthType=auth/none
CredType=cred/none"
fi

# ---- GPU GRES (fake char devices, test only) --------------------------------
GRESNODE=""; GRESTYPES=""
if [ "$GPUS" -gt 0 ]; then
  GRESTYPES="GresTypes=gpu"
  GRESNODE="Gres=gpu:$GPUS"
  : > "$BASE/etc/gres.conf"
  for i in $(seq 0 $((GPUS - 1))); do
    [ -e "$BASE/run/fakegpu$i" ] || mknod "$BASE/run/fakegpu$i" c 195 "$i"
    echo "NodeName=$NODE Name=gpu File=$BASE/run/fakegpu$i" >> "$BASE/etc/gres.conf"
  done
fi
JWTCONF=""
OVR=""; [ "$CPUS" -gt "$(nproc)" ] && OVR="SlurmdParameters=config_overrides"

cat > "$SLURM_CONF" <<EOF
ClusterName=nas
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
$AUTHCONF
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool/%n
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=${PROCTRACK:-proctrack/linuxproc}
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# default batch_sched_delay=3 delays every sbatch job up to 3 s
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$BASE/log/jobcomp.txt
ReturnToService=2
SlurmdTimeout=$SLURMD_TIMEOUT
SlurmctldTimeout=10
MinJobAge=600
MaxJobCount=100000
MaxArraySize=100001
KillWait=5
InactiveLimit=0
$OVR
$JWTCONF
$GRESTYPES
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM $GRESNODE State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF

# -i: ignore stale state; -c would also clear it. Both daemons fork (no -D) and write pid files.
slurmctld -i
slurmd
# wait until the node is idle (=accepting and able to run jobs)
for i in $(seq 1 300); do
  st=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  [ "$st" = idle ] && break
  sleep 0.1
done
t1=$(date +%s%N)
sinfo -N -o '%N %T %c %m %G'
echo "cluster up in $(( (t1 - t0) / 1000000 )) ms; export SLURM_CONF=$SLURM_CONF"
[ "$st" = idle ]
