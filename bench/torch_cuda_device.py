"""PyTorch CUDA side of the device check (bench/webgpu-device.ts): the same OneBP epoch and full-ranking
evaluation of MF on Gowalla, timed on the GPU in the same run.

usage: torch_cuda_device.py TRAIN_TXT_GZ DIMS BATCH REPEATS K ; prints one JSON line.
Model as bench/workloads.ts benchConfig (OneBP, beta 0.99): dense nn.Embedding tables, Adam
(lr 1e-3, weight decay 1e-5) owning the item table, InfoNCE (t = 1) over [positive, 5 negatives],
uniform negatives excluding training items (rejection against a dense mask on the GPU), the user
rows moved by indexed assignment after the step. Times: best of REPEATS after a warm-up epoch,
with torch.cuda.synchronize() around each.
"""
import gzip
import json
import os
import sys
import time

import torch


def read_pairs(path):
    users, items = [], []
    with gzip.open(path, "rt") as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            u = int(p[0])
            for i in p[1:]:
                users.append(u)
                items.append(int(i))
    return users, items


def main():
    path, dims, B, repeats, k = sys.argv[1], [int(d) for d in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    cpu_smoke = os.environ.get("EXPC_TORCH_CPU") == "1"  # a smoke test of this script where there is no GPU
    if not torch.cuda.is_available() and not cpu_smoke:
        print(json.dumps({"error": "torch.cuda is not available", "torch": torch.__version__}))
        return
    dev = torch.device("cpu" if cpu_smoke else "cuda")
    sync = (lambda: None) if cpu_smoke else torch.cuda.synchronize
    users, items = read_pairs(path)
    nu, ni = max(users) + 1, max(items) + 1
    pu = torch.tensor(users, device=dev)
    pi = torch.tensor(items, device=dev)
    mask = torch.zeros(nu, ni, dtype=torch.bool, device=dev)
    mask[pu, pi] = True
    P = pu.shape[0]
    n, beta = 5, 0.99
    gen = torch.Generator(device=dev)
    gen.manual_seed(1)
    results = []
    for d in dims:
        user = torch.nn.Embedding(nu, d).to(dev)
        item = torch.nn.Embedding(ni, d).to(dev)
        torch.nn.init.xavier_normal_(user.weight)
        torch.nn.init.xavier_normal_(item.weight)
        user.weight.requires_grad_(False)
        opt = torch.optim.Adam(item.parameters(), lr=1e-3, weight_decay=1e-5)

        def epoch():
            perm = torch.randperm(P, generator=gen, device=dev)
            for b in range((P + B - 1) // B):
                idx = perm[b * B:(b + 1) * B]
                u, p = pu[idx], pi[idx]
                neg = torch.randint(ni, (u.shape[0], n), generator=gen, device=dev)
                bad = mask[u.unsqueeze(1), neg]
                while bool(bad.any()):
                    neg[bad] = torch.randint(ni, (int(bad.sum()),), generator=gen, device=dev)
                    bad = mask[u.unsqueeze(1), neg]
                cand = torch.cat([p.unsqueeze(1), neg], 1)
                scores = (user(u).unsqueeze(1) * item(cand)).sum(-1)
                loss = torch.nn.functional.cross_entropy(scores, torch.zeros(u.shape[0], dtype=torch.long, device=dev))
                opt.zero_grad()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    user.weight[u] = beta * user.weight[u] + (1 - beta) * item.weight[p]

        def evaluate():
            with torch.no_grad():
                out = []
                for u0 in range(0, nu, 4096):
                    s = user.weight[u0:u0 + 4096] @ item.weight.T
                    s.masked_fill_(mask[u0:u0 + 4096], float("-inf"))
                    out.append(torch.topk(s, k, dim=1).indices)
                return torch.cat(out)

        def timed(f):
            sync()
            t0 = time.perf_counter()
            f()
            sync()
            return time.perf_counter() - t0

        timed(epoch)
        ep = min(timed(epoch) for _ in range(repeats))
        timed(evaluate)
        ev = min(timed(evaluate) for _ in range(repeats))
        results.append({"dim": d, "epochSeconds": ep, "evalSeconds": ev})
    print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda, "device": "cpu" if cpu_smoke else torch.cuda.get_device_name(0), "results": results}))


if __name__ == "__main__":
    main()
