#!/usr/bin/env bash
# Pages per second: `tunebench extract` (release build) vs pdfplumber, same PDFs, same crop boxes
# (the ground-truth crop and body pages of each book in ../shared/corpus books/ and real/).
# pdfplumber is installed from PyPI into a throwaway venv under /tmp.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
VENV=${VENV:-/tmp/tb-bench-pdfplumber}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q pdfplumber; }
(cd "$ROOT" && swift build -c release --product tunebench >/dev/null)
TB="$ROOT/.build/release/tunebench"

cat > "$WORK/plumber.py" <<'PY'
import json, sys, time, pdfplumber
pdf, x0, top, x1, bottom, first, last, out = sys.argv[1:]
t = time.perf_counter()
with pdfplumber.open(pdf) as doc, open(out, "w") as f:
    for n in range(int(first), int(last) + 1):
        page = doc.pages[n - 1].crop((float(x0), float(top), float(x1), float(bottom)))
        f.write(json.dumps({str(n): page.extract_text() or ""}, ensure_ascii=False) + "\n")
print(time.perf_counter() - t)
PY

printf "%-34s %6s %12s %12s %8s\n" book pages "tb pages/s" "plumber p/s" ratio
for gt in "$CORPUS"/books/*.gt.json "$CORPUS"/real/*.gt.json; do
  pdf=${gt%.gt.json}.pdf
  read -r x0 top x1 bottom first last < <(python3 -c "import json,sys; g=json.load(open(sys.argv[1])); print(*g['crop_box'], *g['body_pages'])" "$gt")
  pages=$((last - first + 1))
  t0=$(date +%s.%N)
  "$TB" extract "$pdf" --crop "$x0,$top,$x1,$bottom" --pages "$first-$last" --out "$WORK/tb.jsonl" 2>/dev/null
  t1=$(date +%s.%N)
  tb=$(python3 -c "print($t1 - $t0)")
  pl=$("$VENV/bin/python" "$WORK/plumber.py" "$pdf" "$x0" "$top" "$x1" "$bottom" "$first" "$last" "$WORK/pl.jsonl")
  python3 - "$(basename "$pdf")" "$pages" "$tb" "$pl" <<'PY'
import sys
name, pages, tb, pl = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print("%-34s %6d %12.1f %12.1f %7.1fx" % (name, pages, pages / tb, pages / pl, pl / tb))
PY
done
echo "(tunebench timed as a whole process, open + extraction + writing; pdfplumber inside Python, open + extraction + writing)"
