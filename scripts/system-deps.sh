#!/usr/bin/env bash
# Makes sure the system packages that `make test` (or, with the argument
# lab, `make lab`) needs are present. As root on Debian it installs the
# missing ones with apt; otherwise it names them and fails, so `make test`
# never runs half its suite silently. `make lab` only requires gcc and
# python3-venv and installs the rest when it can.
#
#   gcc             cells are Go plugins, which link through gcc
#   python3-venv    the Jupyter clients, JupyterLab and the test tools live in .venv
#   chromium, npm   the JupyterLab browser test (playwright-core drives Debian's chromium)
#   mold            a faster linker for cell builds (optional for the kernel, used when present)
#   dataset-fashion-mnist  the real data set of the tutorial notebooks
set -euo pipefail
mode=${1:-test}

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

have_cmd gcc || need+=(gcc)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium)
have_cmd npm || need+=(npm)
have_cmd mold || need+=(mold)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && have_cmd apt-get; then
  echo "installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # npm comes with Node.js; a machine that has node but not npm gets npm alone.
  pkgs=()
  for p in "${need[@]}"; do
    if [ "$p" = npm ] && ! have_cmd node; then pkgs+=(nodejs npm); else pkgs+=("$p"); fi
  done
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
  exit 0
fi

if [ "$mode" = lab ]; then
  required=()
  for p in "${need[@]}"; do case $p in gcc|python3-venv) required+=("$p");; esac; done
  [ ${#required[@]} -eq 0 ] && exit 0
  need=("${required[@]}")
fi
echo "missing system packages: ${need[*]}" >&2
echo "install them (Debian: sudo apt-get install ${need[*]}) and run make again" >&2
exit 1
