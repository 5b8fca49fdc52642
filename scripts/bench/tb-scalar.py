#!/usr/bin/env python3
"""Prints "step value" for every event of one TensorBoard scalar in a run folder, without TensorBoard installed.

Usage: scripts/bench/tb-scalar.py RUN_FOLDER TAG      e.g. tb-scalar.py runs/X train/rss_mb
(tfevents records: u64 length, u32 crc, an Event protobuf, u32 crc; Event.step is field 2, Event.summary field 5,
Summary.value field 1, Value.tag field 1, Value.simple_value field 2.)
"""
import struct, sys, glob
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 128: return r, i
def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i); f, t = k >> 3, k & 7
        if t == 0: v, i = varint(b, i)
        elif t == 1: v = b[i:i+8]; i += 8
        elif t == 5: v = b[i:i+4]; i += 4
        elif t == 2: n, i = varint(b, i); v = b[i:i+n]; i += n
        else: raise ValueError(t)
        yield f, t, v
tag = sys.argv[2]
for path in sorted(glob.glob(sys.argv[1] + "/**/*tfevents*", recursive=True)):
    data = open(path, "rb").read(); i = 0
    while i + 12 <= len(data):
        n = struct.unpack("<Q", data[i:i+8])[0]; ev = data[i+12:i+12+n]; i += 12 + n + 4
        step = None
        for f, t, v in fields(ev):
            if f == 2 and t == 0: step = v
            if f == 5:
                for f2, t2, v2 in fields(v):
                    if f2 == 1:
                        d = dict((a, c) for a, _, c in fields(v2))
                        if d.get(1, b"").decode() == tag and 2 in d: print(step, round(struct.unpack("<f", d[2])[0], 1))
