"""The PyTorch side of the LightGCN case of `npm run bench` (bench/lightgcn.ts), in the same run.

Reads <dir>/spec.json and the training pairs bench/lightgcn.ts wrote next to it (users.npy,
items.npy), prints one JSON object on stdout. The model is LightGCN-PyTorch's
(gusye1234/LightGCN-PyTorch, model.py LightGCN / Procedure.py BPR_train_original):
  - nn.Embedding user and item tables, init normal(std 0.1);
  - the normalised adjacency D^-1/2 A D^-1/2 of the bipartite graph as a coalesced torch.sparse
    COO float tensor (getSparseGraph; duplicates counted once), or CSR with "layout": "csr";
  - computer(): K torch.sparse.mm propagations of [users; items], the mean of the K + 1 layers;
  - bpr_loss: mean softplus(neg - pos) + weight * 0.5 * (|u0|^2 + |pos0|^2 + |neg0|^2) / B;
  - torch.optim.Adam(lr), the full propagation forward and backward every batch.
Batches are slices of a seeded permutation of the training pairs (as expc's epochOrder), one
uniform negative per positive excluding the user's training items (rejection, as LightGCN's
sampler), drawn inside the timed loop. Each call trains `warmup` batches untimed, then `batches`
timed ones, and reports every timed batch's wall and process CPU seconds. Also reported: the BLAS library the process
mapped (/proc/self/maps) and a measured float32 matmul GFLOP/s.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def blas_loaded():
    """Shared objects of the running process that look like a BLAS (what torch actually uses)."""
    names = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if any(k in base for k in ("openblas", "mkl", "blis", "libblas", "atlas", "libflame")):
                    names.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(names)


def matmul_gflops(n=1024, reps=5):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9


def build_graph(u, i, nu, ni, layout):
    key = torch.unique(u * ni + i)  # duplicates counted once
    u, i = key // ni, key % ni
    du = torch.bincount(u, minlength=nu).double()
    di = torch.bincount(i, minlength=ni).double()
    v = (1.0 / torch.sqrt(du[u] * di[i])).float()
    n = nu + ni
    rows = torch.cat([u, nu + i])
    cols = torch.cat([nu + i, u])
    A = torch.sparse_coo_tensor(torch.stack([rows, cols]), torch.cat([v, v]), (n, n)).coalesce()
    if layout == "csr":
        A = A.to_sparse_csr()
    return A, key


class LightGCN(torch.nn.Module):
    def __init__(self, nu, ni, dim, layers, graph):
        super().__init__()
        self.nu, self.ni, self.layers, self.graph = nu, ni, layers, graph
        self.embedding_user = torch.nn.Embedding(nu, dim)
        self.embedding_item = torch.nn.Embedding(ni, dim)
        torch.nn.init.normal_(self.embedding_user.weight, std=0.1)
        torch.nn.init.normal_(self.embedding_item.weight, std=0.1)

    def computer(self):
        all_emb = torch.cat([self.embedding_user.weight, self.embedding_item.weight])
        embs = [all_emb]
        for _ in range(self.layers):
            all_emb = torch.sparse.mm(self.graph, all_emb)
            embs.append(all_emb)
        light_out = torch.mean(torch.stack(embs, dim=1), dim=1)
        return torch.split(light_out, [self.nu, self.ni])

    def bpr_loss(self, users, pos, neg):
        all_users, all_items = self.computer()
        users_emb, pos_emb, neg_emb = all_users[users], all_items[pos], all_items[neg]
        u0, p0, n0 = self.embedding_user(users), self.embedding_item(pos), self.embedding_item(neg)
        reg_loss = 0.5 * (u0.norm(2).pow(2) + p0.norm(2).pow(2) + n0.norm(2).pow(2)) / float(len(users))
        pos_scores = torch.sum(users_emb * pos_emb, dim=1)
        neg_scores = torch.sum(users_emb * neg_emb, dim=1)
        loss = torch.mean(F.softplus(neg_scores - pos_scores))
        return loss, reg_loss


def check(d, spec, users_all, items_all):
    """bench/lightgcn-check.ts: expc's initial tables and batches, the losses and final tables to compare."""
    nu, ni = spec["numUsers"], spec["numItems"]
    load = lambda name: torch.from_numpy(np.load(os.path.join(d, name)))
    A, _ = build_graph(users_all, items_all, nu, ni, "coo")
    model = LightGCN(nu, ni, spec["dim"], spec["layers"], A)
    with torch.no_grad():
        model.embedding_user.weight.copy_(load("init.user.npy"))
        model.embedding_item.weight.copy_(load("init.item.npy"))
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    losses = []
    for k in range(spec["check"]["steps"]):
        u, p, n = (load(f"batch{k}.{x}.npy").long() for x in ("users", "pos", "neg"))
        loss, reg = model.bpr_loss(u, p, n)
        loss = loss + spec["weight"] * reg
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    U, V = model.embedding_user.weight.detach(), model.embedding_item.weight.detach()
    return {
        "losses": losses,
        "max_diff_user": float((U - load("expc.user.npy")).abs().max()),
        "max_diff_item": float((V - load("expc.item.npy")).abs().max()),
        "max_change": float(max((U - load("init.user.npy")).abs().max(), (V - load("init.item.npy")).abs().max())),
    }


def main():
    d = sys.argv[1]
    spec = json.load(open(os.path.join(d, "spec.json")))
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    gen = torch.Generator().manual_seed(spec["seed"] + spec.get("round", 0))
    nu, ni = spec["numUsers"], spec["numItems"]
    users_all = torch.from_numpy(np.load(os.path.join(d, "users.npy")).astype(np.int64))
    items_all = torch.from_numpy(np.load(os.path.join(d, "items.npy")).astype(np.int64))
    if spec.get("check"):
        print(json.dumps(check(d, spec, users_all, items_all)))
        return
    t0 = time.perf_counter()
    A, keys = build_graph(users_all, items_all, nu, ni, spec.get("layout", "coo"))
    build_s = time.perf_counter() - t0
    model = LightGCN(nu, ni, spec["dim"], spec["layers"], A)
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    B, weight = spec["batch"], spec["weight"]
    P = users_all.shape[0]
    perm = torch.randperm(P, generator=gen)

    def negatives(u):
        neg = torch.randint(ni, (u.shape[0],), generator=gen)
        while True:
            k = u * ni + neg
            pos = torch.searchsorted(keys, k).clamp(max=keys.shape[0] - 1)
            bad = keys[pos] == k
            if not bool(bad.any()):
                return neg
            neg[bad] = torch.randint(ni, (int(bad.sum()),), generator=gen)

    times = []
    cpu = []
    losses = []
    total = spec["warmup"] + spec["batches"]
    for b in range(total):
        s = time.perf_counter()
        c = time.process_time()
        idx = perm[b * B:(b + 1) * B]
        u, p = users_all[idx], items_all[idx]
        n = negatives(u)
        loss, reg = model.bpr_loss(u, p, n)
        loss = loss + weight * reg
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if b >= spec["warmup"]:
            times.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "layout": spec.get("layout", "coo"),
        "nnz": int(A._nnz()) if A.layout == torch.sparse_coo else int(A.values().shape[0]),
        "build_s": build_s,
        "batch_s": times,
        "cpu_s": cpu,
        "losses": losses,
        "blas": blas_loaded(),
        "blas_config": " ".join(l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l),
    }
    if spec.get("gflops"):
        out["matmul_gflops"] = matmul_gflops()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
