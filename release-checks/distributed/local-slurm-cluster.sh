#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (Debian's slurm-wlm and munge), for the scale-out integration test
# and for trying a battery locally. Run as root.
#   local-slurm-cluster.sh start    install if needed, write configs, start munged, slurmctld, slurmd; wait until idle
#   local-slurm-cluster.sh stop     cancel jobs and stop exactly the daemons this script started
#   local-slurm-cluster.sh status
set -euo pipefail

state="${MLAC_SLURM_STATE:-/tmp/mlac-slurm}"
conf_dir=/etc/slurm

log() { echo "[slurm] $*" >&2; }

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then return; fi
  log "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
}

start() {
  [ "$(id -u)" = 0 ] || { echo "local-slurm-cluster.sh must run as root" >&2; exit 2; }
  install
  if [ -f "$state/slurm.started" ] && sinfo -h -o '%T' 2>/dev/null | grep -Eq 'idle|mixed|alloc'; then
    log "already up (started earlier by this script): $(sinfo -h -o '%P %D %T %c')"; return 0
  fi
  mkdir -p "$state"/{ctld,d,log} /etc/munge /run/munge /var/log/munge /var/lib/munge "$conf_dir"
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey -c -f -k /etc/munge/munge.key; else dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; fi
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
  if ! pgrep -x munged >/dev/null; then
    if id munge >/dev/null 2>&1; then runuser -u munge -- munged; else munged --force; fi
    echo started > "$state/munged.started"
  fi

  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  cat > "$conf_dir/slurm.conf" <<CONF
ClusterName=mlac-local
SlurmctldHost=${host}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=${state}/ctld
SlurmdSpoolDir=${state}/d
SlurmctldPidFile=${state}/slurmctld.pid
SlurmdPidFile=${state}/slurmd.pid
SlurmctldLogFile=${state}/log/slurmctld.log
SlurmdLogFile=${state}/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=${host} CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  : > "$conf_dir/cgroup.conf"
  slurmctld
  slurmd
  echo started > "$state/slurm.started"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -Eq 'idle|mixed|alloc'; then log "cluster up: $(sinfo -h -o '%P %D %T %c')"; return 0; fi
    sleep 1
  done
  echo "slurm did not come up; logs in $state/log" >&2
  exit 1
}

stop() {
  if [ -f "$state/slurm.started" ]; then
    scancel --user root >/dev/null 2>&1 || true
    [ -f "$state/slurmd.pid" ] && kill "$(cat "$state/slurmd.pid")" 2>/dev/null || true
    [ -f "$state/slurmctld.pid" ] && kill "$(cat "$state/slurmctld.pid")" 2>/dev/null || true
    rm -f "$state/slurm.started"
  fi
  if [ -f "$state/munged.started" ]; then pkill -x munged 2>/dev/null || true; rm -f "$state/munged.started"; fi
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo 2>/dev/null || echo "no cluster" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
