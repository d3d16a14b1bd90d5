"""The PyTorch side of `npm run bench` (bench/bench.ts): the same workloads, in the same run.

Reads <dir>/spec.json and the .npy arrays bench.ts wrote next to it, prints one JSON object on
stdout: {"torch": version, "results": [{"workload", "case", "metric", "threads", "seconds", "repeats"}]}.

Training mirrors the OneBP reference code: dense nn.Embedding tables, torch.optim.Adam (coupled
weight decay, every row every step), InfoNCE over [positive, negatives], OneBP = the optimiser owns
the item table only, user rows moved by indexed assignment after the step. Negatives: uniform,
excluding the user's training items (rejection against a dense mask, redrawn until none is a
positive; not made distinct within a pair), drawn inside the timed loop as our kernels do. An
epoch's time is the median of the epochs after the first (warm-up). Evaluation ranks the tables
that bench.ts trained (so its metrics can be checked against ours): blocked matmul, training items
masked to -inf, topk, then P/R/F1/NDCG at every cutoff; the time is the best of a few repeats.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch


def load(d, name):
    return torch.from_numpy(np.load(os.path.join(d, name)).astype(np.int64))


def draw_negatives(users, n, num_items, mask, gen):
    neg = torch.randint(num_items, (users.shape[0], n), generator=gen)
    bad = mask[users.unsqueeze(1), neg]
    while bool(bad.any()):
        neg[bad] = torch.randint(num_items, (int(bad.sum()),), generator=gen)
        bad = mask[users.unsqueeze(1), neg]
    return neg


def train_epochs(w, case, epochs, gen):
    nu, ni, d = w["numUsers"], w["numItems"], case["dim"]
    users_all, items_all = w["pairUsers"], w["pairItems"]
    user = torch.nn.Embedding(nu, d)
    item = torch.nn.Embedding(ni, d)
    torch.nn.init.xavier_normal_(user.weight)
    torch.nn.init.xavier_normal_(item.weight)
    onebp = case["backprop"] == "onebp"
    params = list(item.parameters()) if onebp else list(user.parameters()) + list(item.parameters())
    opt = torch.optim.Adam(params, lr=case["lr"], weight_decay=case["weightDecay"])
    if onebp:
        user.weight.requires_grad_(False)
    B, n, t, beta = case["batch"], case["negatives"], case["temperature"], case["beta"]
    P = users_all.shape[0]
    mask = w["mask"]
    times = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(P, generator=gen)
        nb = P // B if case["dropLast"] else (P + B - 1) // B
        for b in range(nb):
            idx = perm[b * B:(b + 1) * B]
            u_ids, p_ids = users_all[idx], items_all[idx]
            n_ids = draw_negatives(u_ids, n, ni, mask, gen)
            u = user(u_ids)
            cand = item(torch.cat([p_ids.unsqueeze(1), n_ids], 1))
            logits = torch.bmm(cand, u.unsqueeze(2)).squeeze(2) / t
            loss = (torch.logsumexp(logits, 1) - logits[:, 0]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if onebp:
                with torch.no_grad():
                    user.weight[u_ids] = beta * user.weight[u_ids] + (1 - beta) * item.weight[p_ids]
        times.append(time.perf_counter() - t0)
    return times, user.weight.detach(), item.weight.detach()


def evaluate(w, user, item, cutoffs):
    """Full ranking of every test user, training items masked; returns the mean metrics."""
    kmax = max(cutoffs)
    test_users = w["testUsers"]
    mask = w["mask"]
    test_mask = w["testMask"]
    out = {}
    hits_all = []
    for s in range(0, test_users.shape[0], 2048):
        us = test_users[s:s + 2048]
        scores = user[us] @ item.T
        scores[mask[us]] = -math.inf
        top = torch.topk(scores, kmax, dim=1).indices
        hits_all.append(test_mask[us.unsqueeze(1), top].float())
    hits = torch.cat(hits_all)
    n_rel = test_mask[test_users].sum(1).float()
    disc = 1.0 / torch.log2(torch.arange(2, kmax + 2, dtype=torch.float32))
    for k in cutoffs:
        h = hits[:, :k].sum(1)
        out[f"precision@{k}"] = float((h / k).mean())
        out[f"recall@{k}"] = float((h / n_rel).mean())
        out[f"f1@{k}"] = float((2 * h / (n_rel + k)).mean())
        dcg = (hits[:, :k] * disc[:k]).sum(1)
        ideal = torch.cumsum(disc[:k], 0)[(torch.clamp(n_rel, max=k) - 1).long()]
        out[f"ndcg@{k}"] = float((dcg / ideal).mean())
    return out


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, "spec.json")))
    gen = torch.Generator().manual_seed(spec["seed"])
    results = []
    for w in spec["workloads"]:
        name = w["name"]
        w["pairUsers"] = load(d, f"{name}.train_users.npy")
        w["pairItems"] = load(d, f"{name}.train_items.npy")
        nu, ni = w["numUsers"], w["numItems"]
        mask = torch.zeros(nu, ni, dtype=torch.bool)
        mask[w["pairUsers"], w["pairItems"]] = True
        w["mask"] = mask
        tu, ti = load(d, f"{name}.test_users.npy"), load(d, f"{name}.test_items.npy")
        test_mask = torch.zeros(nu, ni, dtype=torch.bool)
        test_mask[tu, ti] = True
        w["testMask"] = test_mask
        w["testUsers"] = torch.unique(tu)
        for threads in spec["threadCounts"]:
            torch.set_num_threads(threads)
            for case in w["cases"]:
                times, _, _ = train_epochs(w, case, case["epochs"], gen)
                steady = times[1:] if len(times) > 1 else times
                results.append({"workload": name, "case": case["id"], "metric": "epoch_s", "threads": threads, "seconds": median(steady), "repeats": len(steady)})
                if case.get("evalTables"):
                    user = torch.from_numpy(np.load(os.path.join(d, case["evalTables"] + ".user.npy")))
                    item = torch.from_numpy(np.load(os.path.join(d, case["evalTables"] + ".item.npy")))
                    evaluate(w, user, item, spec["cutoffs"])
                    ts = []
                    for _ in range(spec["evalRepeats"]):
                        t0 = time.perf_counter()
                        metrics = evaluate(w, user, item, spec["cutoffs"])
                        ts.append(time.perf_counter() - t0)
                    results.append({"workload": name, "case": case["id"], "metric": "eval_s", "threads": threads, "seconds": min(ts), "repeats": len(ts), "metrics": metrics})
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
