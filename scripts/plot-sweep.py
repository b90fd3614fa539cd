#!/usr/bin/python3
"""Plot a `trapvisor sweep` JSON Lines file: one line per value of SERIES,
METRIC against X (both setting names, as given to --vary), into a PNG.

    scripts/plot-sweep.py sweep.jsonl X SERIES METRIC out.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, x_key, series_key, metric, out = argv[1:]
    lines = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            value = r["metrics"].get(metric)
            if value is None:
                print(f"run {r['run']}: no {metric} ({r.get('error', r['stop'])})", file=sys.stderr)
                continue
            s = r["settings"]
            lines.setdefault(s[series_key], []).append((float(s[x_key]), value))
    if not lines:
        print("nothing to plot", file=sys.stderr)
        return 1
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for name, points in lines.items():
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{series_key}={name}")
    ax.set_xlabel(x_key)
    ax.set_ylabel(metric)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
