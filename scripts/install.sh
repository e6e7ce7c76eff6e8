#!/usr/bin/env bash
# Installs the tunebench command: sets up what it needs (scripts/setup.sh: apt packages, the default
# model), builds it in release mode and copies the binary to PREFIX/bin.
#
#   scripts/install.sh [PREFIX]
#
# PREFIX defaults to ~/.local, or /usr/local when run as root (whose ~/.local/bin is rarely on
# PATH). The binary needs nothing else from this folder (its colour themes are built in; models
# live in ${TUNEBENCH_HOME:-~/.cache/tunebench}), but it links the Swift runtime of the toolchain
# that built it, so keep that toolchain installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then default_prefix=/usr/local; else default_prefix="$HOME/.local"; fi
prefix="${1:-$default_prefix}"

scripts/setup.sh
swift build -c release --product tunebench
mkdir -p "$prefix/bin"
install -m 755 .build/release/tunebench "$prefix/bin/tunebench"
echo "install: tunebench is at $prefix/bin/tunebench"
case ":$PATH:" in
    *":$prefix/bin:"*) echo "install: $prefix/bin is on PATH: run tunebench --help" ;;
    *) echo "install: $prefix/bin is not on PATH; add it, e.g. in ~/.profile: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
