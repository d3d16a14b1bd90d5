#!/usr/bin/python3
"""Reference values for src/review/stats, computed with scipy (and statsmodels when present).

Writes test/fixtures/stats/reference.json: every input is stored in the file itself, so the
TypeScript tests need no python. Inputs are drawn from seeded numpy generators and rounded to a
few decimals (exact in JSON either way; rounding just creates ties on purpose).

The Wilcoxon 'auto' rule changed between scipy versions (1.13 added a permutation test for
small samples with ties or zeros), and src/review/stats/wilcoxon-signed-rank.ts follows
scipy 1.10.1, so the script refuses any other minor version unless --any-scipy is given.

Usage (Debian bookworm: apt-get install python3-scipy python3-statsmodels):
    /usr/bin/python3 scripts/gen-stats-reference.py [--any-scipy] [out.json]
"""
import json
import math
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

try:
    from statsmodels.stats.multitest import multipletests
    import statsmodels
    STATSMODELS = statsmodels.__version__
except ImportError:  # the textbook formula below is used alone then
    multipletests = None
    STATSMODELS = None

EXPECTED_SCIPY = "1.10."


def num(x):
    """JSON has no NaN/Infinity: encode them as strings the tests decode."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def vec(x):
    return [float(v) for v in x]


def paired_cases():
    """(name, a, b, wilcoxon method) tuples covering sizes, ties, zeros and degenerate input."""
    cases = []
    for n in (3, 5, 10, 20, 51, 200):
        rng = np.random.default_rng(1000 + n)
        b = rng.normal(0.3, 0.1, n)
        a = b + rng.normal(0.02, 0.05, n)
        cases.append((f"normal n={n}", np.round(a, 6), np.round(b, 6), "auto"))
    for n in (10, 20, 51):
        rng = np.random.default_rng(2000 + n)
        b = rng.integers(0, 5, n) / 10
        a = b + rng.integers(-2, 4, n) / 10
        a[b == a] += 0.3  # ties in |d| but no zeros
        cases.append((f"ties no zeros n={n}", np.round(a, 1), np.round(b, 1), "auto"))
    for n in (5, 10, 20, 60):
        rng = np.random.default_rng(3000 + n)
        b = np.round(rng.uniform(0, 1, n), 2)
        a = np.round(b + rng.integers(-3, 5, n) / 20, 2)
        a[: max(1, n // 5)] = b[: max(1, n // 5)]  # exact zero differences
        cases.append((f"ties and zeros n={n}", a, b, "auto"))
    # per-user recall-like vectors: many users score 0 under both models
    rng = np.random.default_rng(4000)
    hits_a = rng.binomial(10, 0.15, 200)
    hits_b = rng.binomial(10, 0.12, 200)
    cases.append(("recall@10 per user n=200", hits_a / 10, hits_b / 10, "auto"))
    # large effects: tiny p-values
    rng = np.random.default_rng(5000)
    b = rng.normal(0, 1, 200)
    cases.append(("large effect n=200", np.round(b + 3 + rng.normal(0, 0.1, 200), 6), np.round(b, 6), "auto"))
    rng = np.random.default_rng(5001)
    b = rng.normal(0, 1, 20)
    cases.append(("large effect n=20", np.round(b + 1 + rng.normal(0, 0.001, 20), 8), np.round(b, 8), "auto"))
    cases.append(("all positive n=50 (exact)", np.arange(1, 51) / 7, np.zeros(50), "auto"))
    cases.append(("all negative n=200", np.zeros(200), np.arange(1, 201) / 3, "auto"))
    # degenerate input
    cases.append(("identical n=5", np.array([0.1, 0.2, 0.3, 0.4, 0.5]), np.array([0.1, 0.2, 0.3, 0.4, 0.5]), "auto"))
    cases.append(("constant shift n=4", np.array([2.0, 3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0, 4.0]), "auto"))
    cases.append(("symmetric centre n=4", np.array([1.0, -1.0, 4.0, -4.0]), np.array([0.0, 0.0, 0.0, 0.0]), "auto"))
    cases.append(("single zero n=3", np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]), "auto"))
    # forced methods
    rng = np.random.default_rng(6000)
    b = rng.normal(0, 1, 12)
    a = b + rng.normal(0.4, 1, 12)
    cases.append(("forced approx n=12", np.round(a, 5), np.round(b, 5), "approx"))
    cases.append(("forced exact n=12", np.round(a, 5), np.round(b, 5), "exact"))
    rng = np.random.default_rng(6001)
    b = rng.normal(0, 1, 60)
    a = b + rng.normal(0.2, 1, 60)
    cases.append(("forced exact n=60", np.round(a, 5), np.round(b, 5), "exact"))
    return cases


def paired_row(name, a, b, method):
    t = stats.ttest_rel(a, b)
    row = {
        "name": name,
        "a": vec(a),
        "b": vec(b),
        "method": method,
        "ttest": {"statistic": num(t.statistic), "df": int(len(a) - 1), "pValue": num(t.pvalue),
                  "meanDiff": num(np.mean(np.asarray(a) - np.asarray(b)))},
    }
    d = np.asarray(a) - np.asarray(b)
    nonzero = int(np.sum(d != 0))
    effective = method
    if method == "auto":
        effective = "exact" if len(d) <= 50 else "approx"
    if np.any(d == 0):
        effective = "approx"
    try:
        w = stats.wilcoxon(a, b, method=method)
        row["wilcoxon"] = {"statistic": num(w.statistic), "pValue": num(w.pvalue),
                           "method": "exact" if effective == "exact" else "normal", "n": nonzero}
    except ValueError as e:
        row["wilcoxon"] = {"error": str(e), "n": nonzero}
    return row


def holm_textbook(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for r, i in enumerate(order):
        running = max(running, (m - r) * p[i])
        adj[i] = min(1.0, running)
    return adj


def holm_rows():
    rng = np.random.default_rng(7000)
    families = [
        [0.01, 0.04, 0.03, 0.005],
        [0.5],
        [0.02, 0.02, 0.02],
        [0.3, 0.001, 0.2, 0.04, 0.04, 0.9, 1.0, 0.0],
        [1e-300, 1e-12, 0.049, 0.051],
        list(np.round(rng.uniform(0, 0.2, 12), 6)),
    ]
    rows = []
    for p in families:
        text = holm_textbook(p)
        if multipletests is not None:
            sm = multipletests(p, method="holm")[1]
            assert np.allclose(sm, text, rtol=1e-15, atol=0), (p, sm, text)
        rows.append({"p": [float(v) for v in p], "adjusted": [float(v) for v in text]})
    return rows


def special_rows():
    gammaln = [{"x": x, "value": float(special.gammaln(x))}
               for x in (1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.7, 10.0, 25.5, 99.5, 171.3, 1234.5, 1e6)]
    betainc = []
    for a, b, x in [(0.5, 0.5, 0.3), (1.0, 1.0, 0.42), (2.0, 3.0, 0.2), (2.0, 3.0, 0.9), (10.0, 0.5, 0.01),
                    (100.0, 0.5, 0.5), (0.5, 100.0, 0.001), (25.0, 30.0, 0.45), (1.5, 0.5, 1e-9),
                    (99.5, 0.5, 1e-4), (5.0, 5.0, 0.999999)]:
        betainc.append({"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))})
    t2 = []
    for t, df in [(0.0, 3), (0.5, 1), (1.0, 2), (-2.1, 4), (3.0, 9), (2.0, 50), (10.0, 19), (40.0, 199),
                  (8.0, 2), (1e3, 5), (1e6, 3), (150.0, 199), (300.0, 199), (0.001, 1000)]:
        t2.append({"t": t, "df": df, "value": float(2 * stats.t.sf(abs(t), df))})
    erfc_rows = [{"x": x, "value": float(special.erfc(x))}
                 for x in (-2.0, -0.3, 0.0, 1e-5, 0.3, 0.7, 1.0, 1.2, 1.3, 2.0, 5.0, 10.0, 20.0, 26.5)]
    return {"gammaln": gammaln, "betainc": betainc, "tTwoSided": t2, "erfc": erfc_rows}


def main():
    args = [a for a in sys.argv[1:] if a != "--any-scipy"]
    if not scipy.__version__.startswith(EXPECTED_SCIPY) and "--any-scipy" not in sys.argv:
        sys.exit(f"scipy {scipy.__version__}: the implementation follows scipy {EXPECTED_SCIPY}x "
                 "(Debian bookworm python3-scipy); pass --any-scipy to write anyway")
    out = args[0] if args else "test/fixtures/stats/reference.json"
    warnings.simplefilter("ignore")
    ref = {
        "generator": "scripts/gen-stats-reference.py",
        "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "statsmodels": STATSMODELS,
                     "python": sys.version.split()[0]},
        "notes": "ttest = scipy.stats.ttest_rel(a, b); wilcoxon = scipy.stats.wilcoxon(a, b, method=method) "
                 "with zero_method='wilcox', correction=False; holm = statsmodels multipletests(method='holm') "
                 "checked against the textbook step-down formula; NaN/Infinity encoded as strings.",
        "paired": [paired_row(*c) for c in paired_cases()],
        "holm": holm_rows(),
        "special": special_rows(),
    }
    with open(out, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(ref['paired'])} paired cases, {len(ref['holm'])} holm families")


if __name__ == "__main__":
    main()
