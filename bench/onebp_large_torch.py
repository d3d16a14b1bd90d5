"""The PyTorch side of bench/onebp-large.ts: OneBP MF on the pairs bench wrote (.npy), the OneBP
reference code's way (dense nn.Embedding tables, torch.optim.Adam on the item table only, user
rows moved by indexed assignment after the step, InfoNCE over [positive, negatives], negatives
uniform excluding the user's training items by rejection against a dense mask).

argv: DIR with spec.json, users.npy, items.npy. Prints {"torch", "results": [{"threads", "batch_s": [...]}]}:
per thread count, the seconds of each timed batch after `warmup` untimed ones.
"""
import json
import os
import sys
import time

import numpy as np
import torch


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, "spec.json")))
    users_all = torch.from_numpy(np.load(os.path.join(d, "users.npy")).astype(np.int64))
    items_all = torch.from_numpy(np.load(os.path.join(d, "items.npy")).astype(np.int64))
    nu, ni, dim = spec["numUsers"], spec["numItems"], spec["dim"]
    mask = torch.zeros(nu, ni, dtype=torch.bool)
    mask[users_all, items_all] = True
    B, n, beta = spec["batch"], spec["negatives"], spec["beta"]
    results = []
    for threads in spec["threadCounts"]:
        torch.set_num_threads(threads)
        gen = torch.Generator().manual_seed(spec["seed"])
        user = torch.nn.Embedding(nu, dim)
        item = torch.nn.Embedding(ni, dim)
        torch.nn.init.xavier_normal_(user.weight)
        torch.nn.init.xavier_normal_(item.weight)
        user.weight.requires_grad_(False)
        opt = torch.optim.Adam(item.parameters(), lr=spec["lr"], weight_decay=spec["weightDecay"])
        perm = torch.randperm(users_all.shape[0], generator=gen)
        times = []
        for b in range(spec["warmup"] + spec["batches"]):
            t0 = time.perf_counter()
            idx = perm[b * B:(b + 1) * B]
            u_ids, p_ids = users_all[idx], items_all[idx]
            neg = torch.randint(ni, (B, n), generator=gen)
            bad = mask[u_ids.unsqueeze(1), neg]
            while bool(bad.any()):
                neg[bad] = torch.randint(ni, (int(bad.sum()),), generator=gen)
                bad = mask[u_ids.unsqueeze(1), neg]
            u = user(u_ids)
            cand = item(torch.cat([p_ids.unsqueeze(1), neg], 1))
            logits = torch.bmm(cand, u.unsqueeze(2)).squeeze(2)
            loss = (torch.logsumexp(logits, 1) - logits[:, 0]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                user.weight[u_ids] = beta * user.weight[u_ids] + (1 - beta) * item.weight[p_ids]
            if b >= spec["warmup"]:
                times.append(time.perf_counter() - t0)
        results.append({"threads": threads, "batch_s": times})
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
