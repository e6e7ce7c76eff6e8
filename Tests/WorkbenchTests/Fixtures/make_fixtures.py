"""Generates the reference data the Workbench chart tests compare against. Run once:

    python3 -m venv /tmp/v && /tmp/v/bin/pip install drawille==0.2.0
    /tmp/v/bin/python make_fixtures.py > chart-references.json

Braille: the dots are rasterised by the `drawille` package (its Canvas.set / line, not our code),
after mapping data to dots with the formula documented on LineChart, written out again here.
Smoothing: TensorBoard's resmoothDataset (tensorboard/components/vz_line_chart2/line-chart.ts),
transcribed to Python.
"""
import json, math
import drawille


def to_dots(points, columns, rows, log=False):
    pts = [(x, math.log10(y) if log else y) for x, y in points if (y > 0 or not log)]
    xs = [p[0] for p in pts]; ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if y0 == y1:
        pad = 0.5 if log else max(abs(y0) * 0.1, 0.5)
        y0 -= pad; y1 += pad
    if x0 == x1:
        x1 = x0 + 1
    W, H = columns * 2, rows * 4
    return [(int(round((x - x0) * ((W - 1) / (x1 - x0)))), int(round((y1 - y) * ((H - 1) / (y1 - y0))))) for x, y in pts]


def render(points, columns, rows, style):
    c = drawille.Canvas()
    dots = to_dots(points, columns, rows)
    if style == "points" or len(dots) == 1:
        for x, y in dots:
            c.set(x, y)
    else:
        for (ax, ay), (bx, by) in zip(dots, dots[1:]):
            for x, y in drawille.line(ax, ay, bx, by):
                c.set(x, y)
    lines = c.rows(min_x=0, min_y=0, max_x=columns * 2, max_y=rows * 4)
    return [l.rstrip() for l in lines]


def tb_smooth(values, w):
    last = 0.0 if values else float("nan")
    n = 0
    constant = all(v == values[0] for v in values)
    out = []
    for v in values:
        if constant or not math.isfinite(v):
            out.append(v)
        else:
            last = last * w + (1 - w) * v
            n += 1
            debias = 1 - w ** n if w != 1 else 1
            out.append(last / debias)
    return out


# A noisy falling loss curve, an eval series, a steep line and a flat one.
loss = [(s, 3.2 * math.exp(-s / 9.0) + 0.35 * math.sin(s * 1.7) + 0.8) for s in range(0, 40)]
cases = [
    {"name": "falling loss", "columns": 12, "rows": 4, "style": "line", "points": loss},
    {"name": "eval points", "columns": 10, "rows": 3, "style": "points",
     "points": [(0, 2.9), (10, 2.1), (20, 1.7), (30, 1.55), (40, 1.5)]},
    {"name": "steep", "columns": 5, "rows": 4, "style": "line", "points": [(0, 0.0), (1, 10.0), (2, 0.0)]},
    {"name": "flat", "columns": 6, "rows": 2, "style": "line", "points": [(5, 1.0), (6, 1.0), (9, 1.0)]},
]
for c in cases:
    c["expected"] = render(c["points"], c["columns"], c["rows"], c["style"])
    c["points"] = [list(p) for p in c["points"]]

values = [y for _, y in loss] + [float("nan"), 1.0]
smoothing = [{"weight": w, "values": [v if math.isfinite(v) else None for v in values],
              "expected": [v if math.isfinite(v) else None for v in tb_smooth(values, w)]} for w in (0.0, 0.6, 0.9)]
print(json.dumps({"charts": cases, "smoothing": smoothing}, indent=1, ensure_ascii=False))
