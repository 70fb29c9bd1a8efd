#!/usr/bin/env bash
# Installs, from Debian's packages, the real servers the test suite starts on loopback.
# The tests start each server themselves on a high port under a temporary directory and stop it by PID;
# this script only makes sure the binaries are there. It is idempotent and quiet when nothing is missing.
set -euo pipefail

declare -A need=(
  [postgresql]="initdb"
  [prometheus]="prometheus"
  [prometheus-alertmanager]="prometheus-alertmanager"
  [victoria-metrics]="victoria-metrics"
  [openssh-server]="/usr/sbin/sshd"
  [chromium]="chromium"
)

missing=()
for pkg in "${!need[@]}"; do
  bin=${need[$pkg]}
  if ! command -v "$bin" >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/"$bin" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages for the test suite: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts packaged services on install; the tests run their own instances on high ports.
for svc in postgresql prometheus prometheus-alertmanager victoria-metrics; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
  (command -v service >/dev/null && service "$svc" stop 2>/dev/null) || true
done
