"""A plain, loop-based translation of COINr 1.1.14's R functions, independent of the engine.

Written from COINr's R source (bluefoxr/COINr, ``R/impute.R``, ``R/screen_units.R``,
``R/treat.R``, ``R/normalise.R``, ``R/aggregate.R``) one R statement at a time, with
lists and ``math`` rather than numpy, so that a test can compare every stage the
engine computes with what COINr's code does for many configurations. R semantics
kept: ``mean`` with its second-pass correction, ``sd`` with ``n - 1``, ``rank`` with
``ties.method = "min", na.last = "keep"``, three-valued logic in ``check_SkewKurt``,
``sum`` accumulating one vector in long double.
"""
import math
import numpy as np

NA = float("nan")
def isna(v): return v != v

# ---- R helpers (base R)
def r_mean(x):
    x = [v for v in x if not isna(v)]
    if not x: return NA
    n = len(x); s = math.fsum(x) / n
    # R's mean: second pass correction in long double
    t = math.fsum(v - s for v in x) / n
    return s + t
def r_sd(x):
    x = [v for v in x if not isna(v)]
    n = len(x)
    if n < 2: return NA
    m = r_mean(x)
    return math.sqrt(math.fsum((v - m) ** 2 for v in x) / (n - 1))
def r_median(x):
    x = sorted(v for v in x if not isna(v))
    n = len(x)
    if n == 0: return NA
    return x[n // 2] if n % 2 else (x[n // 2 - 1] + x[n // 2]) / 2
def r_rank_min(x):
    out = []
    for v in x:
        if isna(v): out.append(NA)
        else: out.append(1 + sum(1 for u in x if not isna(u) and u < v))
    return out
def r_min(x):
    x = [v for v in x if not isna(v)]; return min(x) if x else math.inf
def r_max(x):
    x = [v for v in x if not isna(v)]; return max(x) if x else -math.inf

# ---- R/impute.R: i_mean, i_median, i_mean_grp, i_median_grp, Impute.numeric
def i_mean(x):
    m = r_mean(x); return [m if isna(v) else v for v in x]
def i_median(x):
    m = r_median(x); return [m if isna(v) else v for v in x]
def i_grp(x, f, fun):
    out = list(x)
    labels = [g for g in dict.fromkeys(f) if not (g is None or (isinstance(g, float) and isna(g)))]
    for g in labels:
        idx = [i for i, gi in enumerate(f) if gi == g]
        sub = fun([x[i] for i in idx])
        for i, v in zip(idx, sub): out[i] = v
    return out
def impute_numeric(x, fun, f=None):
    if all(isna(v) for v in x): return list(x)
    return fun(x) if f is None else i_grp(x, f, fun)

# ---- R/screen_units.R: get_data_avail.data.frame + Screen.data.frame
def screen(rows, dat_thresh=2/3, nonzero_thresh=0.05, mode="byNA"):
    keep = []
    for r in rows:
        n = len(r); nna = sum(isna(v) for v in r); nz = sum((not isna(v)) and v == 0 for v in r)
        avail = 1 - nna / n
        nonzero = 1 - nz / (n - nna) if n - nna else NA
        low = avail < dat_thresh
        lowz = (nonzero < nonzero_thresh) if not isna(nonzero) else None
        if mode == "byNA": inc = not low
        elif mode == "byzeros": inc = (not lowz) if lowz is not None else None
        else: inc = not (low or bool(lowz))
        keep.append(inc)
    return keep

# ---- R/treat.R: skew, kurt, check_SkewKurt, winsorise, log_CT, Treat.numeric
def skew(x):
    x = [v for v in x if not isna(v)]; n = len(x)
    if n < 3: return NA
    m = r_mean(x); d = [v - m for v in x]
    s2 = math.fsum(v * v for v in d); s3 = math.fsum(v ** 3 for v in d)
    if s2 == 0: return NA
    y = math.sqrt(n) * s3 / s2 ** 1.5
    return y * math.sqrt(n * (n - 1)) / (n - 2)
def kurt(x):
    x = [v for v in x if not isna(v)]; n = len(x)
    if n < 4: return NA
    m = r_mean(x); d = [v - m for v in x]
    s2 = math.fsum(v * v for v in d); s4 = math.fsum(v ** 4 for v in d)
    if s2 == 0: return NA
    r = n * s4 / s2 ** 2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
def check_sk(x, st=2, kt=3.5):
    sk, ku = skew(x), kurt(x)
    a = None if isna(sk) else abs(sk) < st
    b = None if isna(ku) else ku < kt
    if a is True or b is True: return True
    if a is None or b is None: return None
    return False
def winsorise(x, winmax=5, st=2, kt=3.5, force_win=False):
    x = list(x)
    passing = check_sk(x, st, kt)
    nwin = 0; imax = imin = None
    if (passing is False) or force_win:
        below = (winmax is None) or nwin < winmax
        while ((passing is False) or force_win) and below:
            if skew(x) >= 0:
                mx = r_max(x); imax = [i for i, v in enumerate(x) if v == mx]
                rest = [v for i, v in enumerate(x) if i not in imax]
                nv = r_max(rest)
                for i in imax: x[i] = nv
            else:
                mn = r_min(x); imin = [i for i, v in enumerate(x) if v == mn]
                rest = [v for i, v in enumerate(x) if i not in imin]
                nv = r_min(rest)
                for i in imin: x[i] = nv
            nwin = len(imax or []) + len(imin or [])
            below = (winmax is None) or nwin < winmax
            passing = check_sk(x, st, kt)
            if passing is None: raise RuntimeError("R would error: NA in while")
    return x
def log_ct(x):
    mn, mx = r_min(x), r_max(x)
    return [NA if isna(v) else math.log(v - mn + 0.01 * (mx - mn)) for v in x]
def treat_numeric(x, winmax=5, st=2, kt=3.5, force_win=False, combine=False, f2=True):
    p = check_sk(x, st, kt)
    if p is None: return list(x)
    if p: return list(x)
    x1 = winsorise(x, winmax, st, kt, force_win)
    p = check_sk(x1, st, kt)
    if p is None: return list(x)
    if p or not f2: return x1
    base = x1 if combine else x
    x2 = log_ct(base)
    p = check_sk(x2, st, kt)
    if p is None: return list(x)
    return x2

# ---- R/normalise.R: n_* functions (x arrives multiplied by its direction)
def n_minmax(x, l_u=(0, 100)):
    mn, mx = r_min(x), r_max(x)
    return [(v - mn) / (mx - mn) * (l_u[1] - l_u[0]) + l_u[0] if mx != mn else NA for v in x]
def n_zscore(x, m_sd=(0, 1)):
    m, s = r_mean(x), r_sd(x)
    return [(v - m) / s * m_sd[1] + m_sd[0] for v in x]
def n_dist2max(x):
    mn, mx = r_min(x), r_max(x)
    return [1 - (mx - v) / (mx - mn) if mx != mn else NA for v in x]
def n_dist2ref(x, iref, cap_max=False):
    mn = r_min(x); xr = x[iref - 1]
    y = []
    for v in x:
        den = xr - mn
        y.append(1 - (xr - v) / den if den != 0 else (NA if (xr - v) == 0 or isna(v) else math.copysign(math.inf, -(xr - v))))
    if cap_max: y = [1.0 if (not isna(v) and v > 1) else v for v in y]
    return y
def n_dist2targ(x, targ, direction=1, cap_max=False):
    if direction == 1:
        mn = r_min(x); y = [(v - mn) / (targ - mn) for v in x]
    else:
        mx = r_max(x); y = [(mx - v) / (mx - targ) for v in x]
    if cap_max: y = [1.0 if (not isna(v) and v > 1) else v for v in y]
    return y
def n_fracmax(x):
    mx = r_max(x)
    return [v / mx if mx != 0 else (NA if v == 0 or isna(v) else math.copysign(math.inf, v) * math.copysign(1.0, mx)) for v in x]
def n_prank(x):
    r = r_rank_min(x); n = sum(not isna(v) for v in x)
    return [(v - 1) / (n - 1) for v in r]
def n_rank(x): return r_rank_min(x)
def n_borda(x): return [v - 1 for v in r_rank_min(x)]
def n_goalposts(x, gposts, direction=1, trunc2posts=True):
    if direction == -1: y = [(v - gposts[1]) / (gposts[0] - gposts[1]) for v in x]
    else: y = [(v - gposts[0]) / (gposts[1] - gposts[0]) for v in x]
    if trunc2posts:
        y = [1.0 if v > 1 else (0.0 if v < 0 else v) for v in y]
    return [v * gposts[2] for v in y]

# ---- R/aggregate.R: a_amean, a_gmean, a_hmean, a_genmean, outrankMatrix + a_copeland
def a_amean(x, w):
    w = [wi for wi, xi in zip(w, x) if not isna(xi)]; x = [xi for xi in x if not isna(xi)]
    if not x: return NA
    s = math.fsum(w); w = [wi / s for wi in w]
    return math.fsum(wi * xi for wi, xi in zip(w, x))
def a_gmean(x, w):
    if all(isna(v) for v in x): return NA
    if any((not isna(v)) and v <= 0 for v in x): raise ValueError("gmean stop")
    pairs = [(wi, xi) for wi, xi in zip(w, x) if not isna(xi)]
    return math.exp(math.fsum(wi * math.log(xi) for wi, xi in pairs) / math.fsum(wi for wi, _ in pairs))
def a_hmean(x, w):
    if all(isna(v) for v in x): return NA
    if any((not isna(v)) and v == 0 for v in x): raise ValueError("hmean stop")
    pairs = [(wi, xi) for wi, xi in zip(w, x) if not isna(xi)]
    return math.fsum(wi for wi, _ in pairs) / math.fsum(wi / xi for wi, xi in pairs)
def a_genmean(x, w, p):
    if all(isna(v) for v in x): return NA
    if p < 0 and any((not isna(v)) and v <= 0 for v in x): raise ValueError("genmean stop")
    if any(isna(v) for v in x): return NA
    return (math.fsum(wi * xi ** p for wi, xi in zip(w, x)) / math.fsum(w)) ** (1 / p)
def a_copeland(X, w):
    ld = np.longdouble
    s = float(np.sum(np.array(w, dtype=ld)))
    w = [wi / s for wi in w]
    n = len(X)
    orm = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j: orm[i][j] = 0.0
            elif i > j: orm[i][j] = 1 - orm[j][i]
            else:
                gt = ld(0); eq = ld(0)
                for k in range(len(w)):
                    a, b = X[i][k], X[j][k]
                    if isna(a) or isna(b): continue
                    if a > b: gt += ld(w[k])
                    elif a == b: eq += ld(w[k])
                orm[i][j] = float(gt) + float(eq) / 2
    out = []
    for i in range(n):
        s = 0.0
        for j in range(n):
            if i == j: continue
            v = orm[i][j]
            s += 1 if v > 0.5 else (-1 if v < 0.5 else 0)
        out.append(float(s))
    return out
