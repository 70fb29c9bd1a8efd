#!/usr/bin/env bash
# Installs, from Debian's packages, the real servers the test suite starts on loopback.
#
# The tests start each server themselves on a high port under a temporary directory and stop it by
# PID; this script only makes sure the binaries are there. It says which it finds (and leaves
# alone) and which it installs. It never stops, disables or reconfigures a service it did not
# install: the packages are installed with a policy-rc.d that keeps Debian from starting their
# services, and afterwards only the services of packages this run installed — with no unit of that
# name before — are disabled (and stopped, should one have started anyway).
#
#   INSTALL_SERVICES_DRY_RUN=1   print what it would do; change nothing (no root needed)
#   INSTALL_SERVICES_EXTRA_DIRS  where binaries may be besides $PATH (default below)
set -euo pipefail

dry_run=${INSTALL_SERVICES_DRY_RUN:-0}
# Debian keeps PostgreSQL's binaries under a versioned directory and sshd in /usr/sbin.
extra_dirs=${INSTALL_SERVICES_EXTRA_DIRS:-"/usr/lib/postgresql/*/bin /usr/sbin"}
policy=/usr/sbin/policy-rc.d

packages=(postgresql prometheus prometheus-alertmanager victoria-metrics openssh-server chromium)
# The binary that shows a package is there, and the service the package runs ("-": none).
declare -A binary=(
  [postgresql]=initdb [prometheus]=prometheus [prometheus-alertmanager]=prometheus-alertmanager
  [victoria-metrics]=victoria-metrics [openssh-server]=sshd [chromium]=chromium
)
declare -A service=(
  [postgresql]=postgresql [prometheus]=prometheus [prometheus-alertmanager]=prometheus-alertmanager
  [victoria-metrics]=victoria-metrics [openssh-server]=ssh [chromium]=-
)

say() { echo "install-services: $*"; }

found() {  # the binary on $PATH or in one of the extra directories
  local dir
  command -v "$1" >/dev/null 2>&1 && return 0
  for dir in $extra_dirs; do [ -x "$dir/$1" ] && return 0; done
  return 1
}

dpkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

unit_exists() {
  command -v systemctl >/dev/null 2>&1 || return 1
  [ -n "$(systemctl list-unit-files --no-legend "$1.service" 2>/dev/null || true)" ]
}

run() {
  if [ "$dry_run" = 1 ]; then say "would run: $*"; else "$@"; fi
}

present=()
missing=()
for pkg in "${packages[@]}"; do
  if found "${binary[$pkg]}"; then present+=("$pkg"); else missing+=("$pkg"); fi
done
for pkg in "${present[@]}"; do
  say "present, left alone: $pkg (${binary[$pkg]} found)"
done
if [ ${#missing[@]} -eq 0 ]; then
  say "nothing to install"
  exit 0
fi

if [ "$dry_run" != 1 ] && [ "$(id -u)" != "0" ]; then
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  echo "(or run this script as root: it keeps their services from starting)" >&2
  exit 1
fi

# Ours to manage afterwards: a package dpkg did not have, whose service name no unit had yet.
ours=()
for pkg in "${missing[@]}"; do
  svc=${service[$pkg]}
  if [ "$svc" = - ] || dpkg_installed "$pkg"; then continue; fi
  if unit_exists "$svc"; then
    say "a $svc service exists already: it is left alone"
  else
    ours+=("$svc")
  fi
done

say "installing: ${missing[*]}"
if [ -e "$policy" ]; then
  say "keeping the existing $policy"
elif [ "$dry_run" = 1 ]; then
  say "would write $policy (exit 101: packages' services are not started) and remove it after"
else
  trap 'rm -f "$policy"' EXIT
  printf '#!/bin/sh\n# nightowl scripts/install-services.sh: no service starts while it installs\nexit 101\n' >"$policy"
  chmod 755 "$policy"
fi
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The tests run their own servers; the new packages' services stay off, also at boot.
for svc in "${ours[@]}"; do
  if [ "$dry_run" = 1 ]; then
    say "would disable and stop $svc (installed by this run)"
  elif command -v systemctl >/dev/null 2>&1 && unit_exists "$svc"; then
    say "disabling $svc (installed by this run; the tests start their own)"
    systemctl disable --now "$svc" >/dev/null 2>&1 || say "could not disable $svc"
  fi
done
say "installed: ${missing[*]}"
