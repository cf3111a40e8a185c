#!/usr/bin/env python3
# Pair-by-pair ratios of a benches/vs-wrk-pipeline.sh output (with BASELINE): python3 pairs.py OUTPUT...
import re, sys
for f in sys.argv[1:]:
    d={}
    for l in open(f):
        m=re.match(r'run (\d+) (\w+) depth (\d+): (\d+) ([\d.]+) ([\d.]+)',l)
        if m: d[(int(m[1]),m[2],int(m[3]))]=int(m[4])/float(m[6])
    for depth in (16,1):
        for tool in ('gauntlet','base'):
            rs=[d[(i,tool,depth)]/d[(i,'wrk',depth)] for i in range(1,40) if (i,'wrk',depth) in d and (i,tool,depth) in d]
            if rs: print(f,tool,depth,' '.join('%.2f'%r for r in rs), 'median %.2f'%sorted(rs)[len(rs)//2])
        rs=[d[(i,'gauntlet',depth)]/d[(i,'base',depth)] for i in range(1,40) if (i,'base',depth) in d]
        if rs: print(f,'new/base',depth,' '.join('%.2f'%r for r in rs), 'median %.2f'%sorted(rs)[len(rs)//2])
