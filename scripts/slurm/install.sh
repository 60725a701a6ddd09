#!/usr/bin/env bash
# Install what nasnb's Slurm tests need from Debian 12 packages (no recommends => 8 pkgs, ~3.5 MB).
# policy-rc.d / no systemd means postinst does NOT start daemons; cluster-up.sh does.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge
fi
