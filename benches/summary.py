"""The table the side-by-side benches (benches/vs-wrk-pipeline.sh,
benches/vs-h2load.sh) print from their runs: imported by their summaries,
not run on its own.

Each line of the results file is "tool parameter requests seconds
cpu_seconds [errors]", the parameter being what the bench varies (pipeline
depth, streams per connection).
"""

import statistics as st


def table(path, label, reverse=False):
    """Prints, per (parameter, tool), the median requests/s and the median,
    lowest and highest requests per generator CPU-second, the rows labelled
    label.format(tool=..., param=...) and sorted by parameter then tool
    (both descending with reverse); returns {(parameter, tool): (median
    requests/s, median requests per generator CPU-second)}."""
    rows = {}
    for line in open(path):
        tool, param, req, secs, cpu = line.split()[:5]
        rows.setdefault((int(param), tool), []).append((int(req), float(secs), float(cpu)))
    print()
    print(f"{'closed model':<22}{'req/s (median)':>16}{'req per gen CPU-s':>20}{'min':>11}{'max':>11}{'runs':>6}")
    summary = {}
    for (param, tool), rs in sorted(rows.items(), reverse=reverse):
        effs = [r / c for r, _, c in rs if c > 0]
        rps = st.median(r / s for r, s, _ in rs)
        summary[(param, tool)] = (rps, st.median(effs))
        name = label.format(tool=tool, param=param)
        print(f"{name:<22}{rps:>16,.0f}{st.median(effs):>20,.0f}{min(effs):>11,.0f}{max(effs):>11,.0f}{len(rs):>6}")
    print()
    return summary
