"""Pools the per-pair ratios that benches/vs-uring.sh printed at depth 1 in
the files named on the command line: count, median, lowest, highest, and how
many pairs reach x1.15 and x1.5.  python3 pooled.py vs-uring.txt ..."""
import re
import statistics as st
import sys

pairs = {}
for path in sys.argv[1:]:
    for line in open(path):
        m = re.search(r"depth 1: +(\w+) / (\w+) .*pairs: ([\d. ]+)[;)]", line)
        if m:
            pairs.setdefault(f"{m.group(1)} / {m.group(2)}", []).extend(map(float, m.group(3).split()))
for k, v in pairs.items():
    print(f"{k:<16} {len(v)} pairs: median x{st.median(v):.2f}, min x{min(v):.2f}, max x{max(v):.2f}, "
          f">= x1.15 in {sum(x >= 1.15 for x in v)}, >= x1.5 in {sum(x >= 1.5 for x in v)}")
