#!/usr/bin/env bash
# A one-node Slurm cluster on localhost (Debian 12's slurm-wlm and munge, no systemd), for
# testing `marlsim sweep --slurm` against a real Slurm.
#
#   bash slurm/local-cluster.sh install  install what is missing (as root; apt-get, bounded by timeouts)
#   bash slurm/local-cluster.sh up       install what is missing, write the config, start
#                                        munged, slurmctld and slurmd, wait until the node is idle
#   bash slurm/local-cluster.sh down     stop the daemons this script started (by their PIDs)
#   bash slurm/local-cluster.sh status   which daemons run, and sinfo
#
# It writes /etc/slurm/slurm.conf only when there is none or the one there is its own, and
# stops only the daemons it started (recorded in /run/marlsim-slurm/started). Every wait is
# bounded. Facts it relies on (pmix before slurmd, -N localhost, zombies count as stopped):
# ../shared/SLURM.md on the project's machines.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
STATE=/run/marlsim-slurm
MARKER="# written by marlsim slurm/local-cluster.sh"
PACKAGES=(slurm-wlm munge libpmix-dev openmpi-bin)
log() { echo "local-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Is the process with this pid file running (a zombie counts as stopped)?
running() {
  local pidfile=$1 pid state
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls every 0.2 s.
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$what did not happen within $seconds s"
}

install_missing() {
  local missing=() pkg
  # Open MPI and libpmix must be there before slurmd starts: its pmix plugin loads libpmix then.
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages ${missing[*]}: run as root, or: sudo apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 180 apt-get update -qq || die "apt-get update failed or took over 180 s"
  timeout 300 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed or took over 300 s"
}

write_config() {
  if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    die "$CONF exists and is not ours: not touching a real cluster's configuration"
  fi
  local cpus mem_mib
  cpus=$(nproc)
  mem_mib=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  cat >"$CONF" <<CONF
$MARKER (delete it, or run 'down', when done)
ClusterName=marlsim-local
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey -c -k /etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 600 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! running /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged
    echo munge >>"$STATE/started"
  fi
  wait_for 10 "munge credential round trip" bash -c 'munge -n | unmunge'
}

start_daemon() {  # NAME PIDFILE COMMAND...
  local name=$1 pidfile=$2
  shift 2
  if running "$pidfile"; then
    log "$name already runs (pid $(cat "$pidfile")): left as it is"
    return 0
  fi
  "$@" || die "$name did not start (see /var/log/slurm/$name.log)"
  echo "$name" >>"$STATE/started"
  wait_for 10 "$name writing its pid file" running "$pidfile"
}

node_idle() { [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]; }

up() {
  install_missing
  [ "$(id -u)" -eq 0 ] || die "the daemons need root"
  mkdir -p "$STATE"
  write_config
  start_munge
  start_daemon slurmctld /run/slurmctld.pid /usr/sbin/slurmctld
  start_daemon slurmd /run/slurmd.pid /usr/sbin/slurmd -N localhost
  wait_for 30 "the node becoming idle" node_idle
  log "up: $(sinfo -h -o '%P %D node(s) %c CPU(s) %T')"
}

stop_one() {  # NAME PIDFILE
  local name=$1 pidfile=$2 pid i
  running "$pidfile" || return 0
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    running "$pidfile" || return 0
    sleep 0.2
  done
  log "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  [ -f "$STATE/started" ] || { log "nothing started by this script"; return 0; }
  # Jobs still running would leave slurmstepd processes behind.
  if grep -qx slurmctld "$STATE/started" && running /run/slurmctld.pid; then
    scancel --full --state=RUNNING --state=PENDING 2>/dev/null || true
  fi
  grep -qx slurmd "$STATE/started" && stop_one slurmd /run/slurmd.pid
  grep -qx slurmctld "$STATE/started" && stop_one slurmctld /run/slurmctld.pid
  grep -qx munge "$STATE/started" && stop_one munged /run/munge/munged.pid
  rm -f "$STATE/started"
  # The config is ours (up() never overwrites another): remove it so nothing mistakes this
  # machine for a cluster, and clear the saved job state so the next 'up' starts clean.
  if [ -e "$CONF" ] && grep -qF "$MARKER" "$CONF"; then
    rm -f "$CONF"
    rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
  fi
  log "down"
}

status() {
  local d
  for d in "munged /run/munge/munged.pid" "slurmctld /run/slurmctld.pid" "slurmd /run/slurmd.pid"; do
    set -- $d
    if running "$2"; then echo "$1: running (pid $(cat "$2" 2>/dev/null))"; else echo "$1: stopped"; fi
  done
  sinfo 2>/dev/null || true
}

case "${1:-}" in
  install) install_missing ;;
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 install|up|down|status" >&2; exit 2 ;;
esac
