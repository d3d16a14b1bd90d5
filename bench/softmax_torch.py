"""The PyTorch side of bench/softmax-gowalla.ts: one MF training step on Gowalla pairs for the
SSM paper's two softmax losses, the usual PyTorch way (dense nn.Embedding tables, both trained
by torch.optim.Adam, cosine scores with temperature t, F.cross_entropy):
  in_batch:  logits = u^ V^_batch^T / t (B x B), other rows' copies of a row's positive masked;
  all_items: logits = u^ V^^T / t over every item (B x N), target the positive.

argv: DIR with spec.json, users.npy, items.npy. Prints {"torch", "results": {"in_batch": [...],
"all_items": [...]}}: the seconds of each timed batch after one untimed warm-up batch.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, "spec.json")))
    users_all = torch.from_numpy(np.load(os.path.join(d, "users.npy")).astype(np.int64))
    items_all = torch.from_numpy(np.load(os.path.join(d, "items.npy")).astype(np.int64))
    nu, ni, dim, B, t = spec["numUsers"], spec["numItems"], spec["dim"], spec["batch"], spec["temperature"]
    torch.set_num_threads(spec["threads"])
    results = {}
    for case in ["in_batch", "all_items"]:
        gen = torch.Generator().manual_seed(spec["seed"])
        user = torch.nn.Embedding(nu, dim)
        item = torch.nn.Embedding(ni, dim)
        torch.nn.init.xavier_normal_(user.weight)
        torch.nn.init.xavier_normal_(item.weight)
        opt = torch.optim.Adam(list(user.parameters()) + list(item.parameters()), lr=1e-3)
        perm = torch.randperm(users_all.shape[0], generator=gen)
        times = []
        for b in range(1 + spec["batches"]):
            t0 = time.perf_counter()
            idx = perm[b * B:(b + 1) * B]
            u_ids, p_ids = users_all[idx], items_all[idx]
            u = F.normalize(user(u_ids), dim=1)
            if case == "in_batch":
                v = F.normalize(item(p_ids), dim=1)
                logits = u @ v.T / t
                same = (p_ids.unsqueeze(1) == p_ids.unsqueeze(0)) & ~torch.eye(len(p_ids), dtype=torch.bool)
                logits = logits.masked_fill(same, float("-inf"))
                loss = F.cross_entropy(logits, torch.arange(len(p_ids)))
            else:
                logits = u @ F.normalize(item.weight, dim=1).T / t
                loss = F.cross_entropy(logits, p_ids)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if b >= 1:
                times.append(time.perf_counter() - t0)
        results[case] = times
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
