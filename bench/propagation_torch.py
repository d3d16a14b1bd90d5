# The PyTorch side of bench/propagation.ts: builds LightGCN's Â from the same pairs and times
# forward + backward of K layers with torch.sparse.mm. Prints one JSON object.
import json, os, sys, time

import numpy as np
import torch

d = sys.argv[1]
spec = json.load(open(os.path.join(d, 'spec.json')))
torch.set_num_threads(spec['threads'])
nu, ni, K, reps = spec['numUsers'], spec['numItems'], spec['layers'], spec['reps']
n = nu + ni
load = lambda name: torch.from_numpy(np.load(os.path.join(d, name)))

t0 = time.perf_counter()
u, i = load('users.npy').long(), load('items.npy').long()
key = torch.unique(u * ni + i)  # duplicates counted once
u, i = key // ni, key % ni
du = torch.bincount(u, minlength=nu).double()
di = torch.bincount(i, minlength=ni).double()
v = (1.0 / torch.sqrt(du[u] * di[i])).float()
rows = torch.cat([u, nu + i])
cols = torch.cat([nu + i, u])
A = torch.sparse_coo_tensor(torch.stack([rows, cols]), torch.cat([v, v]), (n, n)).coalesce()
build_s = time.perf_counter() - t0

x, g = load('x.npy'), load('grad.npy')


def forward(mat, x0):
    layers = [x0]
    for _ in range(K):
        layers.append(torch.sparse.mm(mat, layers[-1]))
    return torch.stack(layers).mean(0)


def autograd_step():
    x0 = x.clone().requires_grad_(True)
    e = forward(A, x0)
    e.backward(g)
    return e.detach(), x0.grad


def explicit(mat):
    # forward, and backward as the same recurrence on g (Â is symmetric)
    with torch.no_grad():
        return forward(mat, x), forward(mat, g)


def timed(fn):
    fn()
    ts = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - s)
    return float(np.median(ts))


out = {'nnz': int(A._nnz()), 'build_s': build_s}
e, gx = autograd_step()
out['max_diff_E'] = float((e - load('E.npy')).abs().max())
out['max_diff_G0'] = float((gx - load('G0.npy')).abs().max())
out['max_abs_E'] = float(e.abs().max())
out['coo_autograd_s'] = timed(autograd_step)
out['coo_explicit_s'] = timed(lambda: explicit(A))
try:
    C = A.to_sparse_csr()
    explicit(C)
    out['csr_explicit_s'] = timed(lambda: explicit(C))
except (RuntimeError, NotImplementedError):
    pass  # CSR x dense not available in this build
print(json.dumps(out))
