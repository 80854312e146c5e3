#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing (see mk/prerequisites.mk), or says in one
# line which command installs them. Exit 0 when all are present afterwards, 2 when the user has to act.
set -uo pipefail

missing=()
for pkg in "$@"; do
  case "$pkg" in
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if command -v dpkg >/dev/null 2>&1; then
    # 'install ok installed', not just known to dpkg: a removed package leaves its config behind as 'deinstall'.
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] && continue
  fi
  missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "make test: this machine has no apt-get; install the equivalents of these Debian packages, then rerun: ${missing[*]}" >&2
  exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "make test: missing Debian packages (${missing[*]}); install them, then rerun make test: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi

echo "make test: installing the Debian packages the tests need: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (unattended-upgrades, a second terminal) rather than fail on its lock.
if ! { "${sudo[@]}" apt-get update -qq -o DPkg::Lock::Timeout=300 && "${sudo[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"; }; then
  echo "make test: could not install ${missing[*]}; install them by hand, then rerun make test: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
