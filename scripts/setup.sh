#!/usr/bin/env bash
# Installs what TuneBench needs on Debian/Ubuntu, if missing: the C libraries it links, the tools its
# tests use, and the default model (into ${TUNEBENCH_HOME:-~/.cache/tunebench}/models).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libncursesw5-dev libopenblas-dev libpoppler-glib-dev pkg-config tmux python3 python3-pip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: the Swift toolchain (swift) is not on PATH; install it from swift.org" >&2; exit 1; }

scripts/fetch-model.sh
