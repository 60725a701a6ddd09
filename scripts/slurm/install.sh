#!/usr/bin/env bash
# Install what nasnb's Slurm tests need from Debian 12 packages (no recommends => 8 pkgs, ~3.5 MB,
# ~5 s). Without systemd the postinst scripts start no daemon; cluster-up.sh starts our own.
set -euo pipefail
exec bash "$(dirname "$0")/../ensure-apt.sh" slurmctld slurmd slurm-client munge
