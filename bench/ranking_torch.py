"""The PyTorch side of bench/ranking.ts: full-ranking top-K of the same users and tables.

Reads <dir>/spec.json and the .npy arrays next to it (U: the evaluated users' rows, I: the item
table, indptr/indices: the users' training items as CSR). Per block of 2048 users: torch.mm,
training items set to -inf by (row, item) index, torch.topk; the time is per repeat (reported
as a list), all inside one process with torch.set_num_threads(threads). Also reports which
BLAS is loaded (from /proc/self/maps: torch's build string says 'generic' whatever is loaded)
and a timed matmul of the block's shape. Writes the last repeat's top ids to top.npy.
"""
import json
import os
import sys
import time

import numpy as np
import torch

d = sys.argv[1]
spec = json.load(open(os.path.join(d, "spec.json")))
torch.set_num_threads(spec["threads"])
load = lambda name: torch.from_numpy(np.load(os.path.join(d, name)))
U, I = load("U.npy"), load("I.npy")
indptr, indices = load("indptr.npy").long(), load("indices.npy").long()
k, B, reps = spec["k"], spec["block"], spec["reps"]
Q, dim = U.shape
IT = I.t().contiguous()


def blas():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            base = os.path.basename(p)
            if any(s in base for s in ("openblas", "libblas", "mkl", "blis", "atlas")):
                libs.add(os.path.realpath(p))
    return sorted(libs)


def rank():
    tops = []
    for s in range(0, Q, B):
        e = min(Q, s + B)
        scores = torch.mm(U[s:e], IT)
        lo, hi = int(indptr[s]), int(indptr[e])
        counts = indptr[s + 1:e + 1] - indptr[s:e]
        rows = torch.repeat_interleave(torch.arange(e - s), counts)
        scores[rows, indices[lo:hi]] = -float("inf")
        tops.append(torch.topk(scores, k, dim=1).indices)
    return torch.cat(tops)


# a matmul of one block's shape, timed in this process (best of 3 after a warm-up)
a = U[:B].contiguous()
torch.mm(a, IT)
mm = []
for _ in range(3):
    t0 = time.perf_counter()
    torch.mm(a, IT)
    mm.append(time.perf_counter() - t0)
mm_gflops = 2.0 * a.shape[0] * dim * IT.shape[1] / min(mm) / 1e9

rank()  # warm-up
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    top = rank()
    times.append(time.perf_counter() - t0)
np.save(os.path.join(d, "top.npy"), top.numpy().astype(np.int32))
print(json.dumps({"torch": torch.__version__, "blas": blas(), "threads": torch.get_num_threads(), "seconds": times,
                  "matmul_shape": [int(a.shape[0]), int(dim), int(IT.shape[1])], "matmul_gflops": mm_gflops}))
