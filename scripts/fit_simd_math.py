#!/usr/bin/env python3
"""Fits the coefficients of knossos' own SIMD erf, erfc and tanh (include/knossos/
simd_math.hpp) and prints them as C++ hex literals, with the error of each fit after its
coefficients are rounded to float or double.

Each approximation is a rational function P(v)/Q(v) (a polynomial when Q has degree 0),
fitted near-minimax on an interval by Lawson's iteratively reweighted least squares on
the linearised problem w(v) (f(v) Q(v) - P(v)) / Q_previous(v) (Loeb), in mpmath at 40
digits, in a Chebyshev basis while fitting. The weight w makes the error relative to the
value the function returns. The errors printed are relative, in units of 2^-24 (float's
precision) or 2^-53 (double's); the ULP bounds of the functions themselves are measured by
tests/unit-simd-math.cpp.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install mpmath
    /tmp/venv/bin/python scripts/fit_simd_math.py [name...]     # a few minutes
"""
import struct
import sys

import mpmath as mp

mp.mp.dps = 40


def cheb(u, n):
    t = [mp.mpf(1), u]
    for _ in range(2, n + 1):
        t.append(2 * u * t[-1] - t[-2])
    return t[: n + 1]


def chebyshev_to_monomial(coef, c1, c0):
    """sum coef[k] T_k(u) with u = c1 v + c0, as monomial coefficients in v."""
    deg = len(coef) - 1
    tp = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for _ in range(2, deg + 1):
        t = [mp.mpf(0)] + [2 * c for c in tp[-1]]
        for j, c in enumerate(tp[-2]):
            t[j] -= c
        tp.append(t)
    pu = [mp.mpf(0)] * (deg + 1)
    for k in range(deg + 1):
        for j, c in enumerate(tp[k]):
            pu[j] += coef[k] * c
    pv = [mp.mpf(0)] * (deg + 1)
    for j in range(deg + 1):
        for i in range(j + 1):
            pv[i] += pu[j] * mp.binomial(j, i) * c1**i * c0 ** (j - i)
    return pv


def lawson(f, w, lo, hi, n, m, npts, iters, equal_leading=False):
    """Near-minimax P/Q (degrees n, m) of f on [lo, hi], error weighted by w. Returns
    the monomial coefficients of P and Q in v, lowest first. equal_leading (n == m):
    P and Q have the same leading coefficient, so both are monic."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    pts = sorted((lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (i + mp.mpf(0.5)) / npts) for i in range(npts))
    pts = [lo] + pts + [hi]
    fs, ws = [f(v) for v in pts], [w(v) for v in pts]
    ts = [cheb((2 * v - lo - hi) / (hi - lo), max(n, m)) for v in pts]
    weights = [mp.mpf(1)] * len(pts)
    qprev = [mp.mpf(1)] * len(pts)
    best = None
    for _ in range(iters):
        rows, rhs = [], []
        for i in range(len(pts)):
            s = mp.sqrt(weights[i]) * ws[i] / qprev[i]
            row = [-s * ts[i][k] for k in range(n + 1)] + [s * fs[i] * ts[i][k] for k in range(1, m + 1)]
            if equal_leading:  # a_n = b_m: one unknown, its column the sum of both
                row[n + m] += row[n]
                del row[n]
            rows.append(row)
            rhs.append(-s * fs[i])
        a_mat, b_vec = mp.matrix(rows), mp.matrix(rhs)
        sol = mp.lu_solve(a_mat.T * a_mat, a_mat.T * b_vec)
        if equal_leading:
            sol = [sol[k] for k in range(n)] + [sol[n + m - 1]] + [sol[k] for k in range(n, n + m)]
        a = [sol[k] for k in range(n + 1)]
        b = [mp.mpf(1)] + [sol[n + k] for k in range(1, m + 1)]
        p = [sum(a[k] * ts[i][k] for k in range(n + 1)) for i in range(len(pts))]
        q = [sum(b[k] * ts[i][k] for k in range(m + 1)) for i in range(len(pts))]
        err = [ws[i] * (fs[i] - p[i] / q[i]) for i in range(len(pts))]
        emax = max(abs(e) for e in err)
        if best is None or emax < best[0]:
            best = (emax, a, b)
        qprev = q
        weights = [weights[i] * abs(err[i]) for i in range(len(pts))]
        total = sum(weights)
        weights = [x / total for x in weights]
    _, a, b = best
    c1, c0 = 2 / (hi - lo), -(lo + hi) / (hi - lo)
    p, q = chebyshev_to_monomial(a, c1, c0), chebyshev_to_monomial(b, c1, c0)
    # Q monic (P / Q unchanged): Horner's first step is then x + q[m-1], with no copy of
    # a constant register. A polynomial (m = 0) is P itself.
    return [c / q[-1] for c in p], [c / q[-1] for c in q]


def refit_numerator(g, w, q, lo, hi, n, npts, iters):
    """With Q fixed (its coefficients already rounded), P of degree n near-minimax for
    w (g - P / Q): a linear problem, by Lawson's iteration. Fitting P after rounding Q
    keeps most of the accuracy that rounding every coefficient at once loses."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    pts = sorted((lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (i + mp.mpf(0.5)) / npts) for i in range(npts))
    pts = [lo] + pts + [hi]
    us = [(2 * v - lo - hi) / (hi - lo) for v in pts]
    ts = [cheb(u, n) for u in us]
    qs = [horner(q, v) for v in pts]
    target = [g(v) * qv for v, qv in zip(pts, qs)]
    scale = [w(v) / qv for v, qv in zip(pts, qs)]
    weights = [mp.mpf(1)] * len(pts)
    best = None
    for _ in range(iters):
        rows = [[mp.sqrt(weights[i]) * scale[i] * ts[i][k] for k in range(n + 1)] for i in range(len(pts))]
        rhs = [mp.sqrt(weights[i]) * scale[i] * target[i] for i in range(len(pts))]
        a_mat, b_vec = mp.matrix(rows), mp.matrix(rhs)
        sol = mp.lu_solve(a_mat.T * a_mat, a_mat.T * b_vec)
        err = [scale[i] * (target[i] - sum(sol[k] * ts[i][k] for k in range(n + 1))) for i in range(len(pts))]
        emax = max(abs(e) for e in err)
        if best is None or emax < best[0]:
            best = (emax, [sol[k] for k in range(n + 1)])
        weights = [weights[i] * abs(err[i]) for i in range(len(pts))]
        total = sum(weights)
        weights = [x / total for x in weights]
    c1, c0 = 2 / (hi - lo), -(lo + hi) / (hi - lo)
    return chebyshev_to_monomial(best[1], c1, c0)


def to_float32(x):
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def rounded(c, single):
    return [mp.mpf(to_float32(x) if single else float(x)) for x in c]


def literal(x, single):
    h = float(x).hex()  # exact: x is a float or double value
    mant, exp = h.split("p")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return f"{mant}p{exp}" + ("f" if single else "")


def horner(c, v):
    r = mp.mpf(0)
    for k in reversed(c):
        r = r * v + k
    return r


def erf_over_x(t):
    if t == 0:
        return 2 / mp.sqrt(mp.pi)
    x = mp.sqrt(t)
    return mp.erf(x) / x


def tanh_over_x(t):
    if t == 0:
        return mp.mpf(1)
    x = mp.sqrt(t)
    return mp.tanh(x) / x


def erfc_scaled(x):  # erfc(x) e^(x^2)
    return mp.erfc(x) * mp.exp(x * x)


def erfc_scaled_tail(u):  # x erfc(x) e^(x^2) at x = 1/sqrt(u): tends to 1/sqrt(pi) as u -> 0
    x = 1 / mp.sqrt(u)
    return x * erfc_scaled(x)


half_ln2 = mp.log(2) / 2

# name: (f, domain, degrees of P and Q, coefficient type, precision aimed at (bits), what
# the kernel computes). The names ending in _small_d are fitted as f = P / Q and printed
# as P - Q, for f - 1 = (P - Q) / Q: the kernel computes x + x (P - Q) / Q, rounded once
# at the end. float erfc is computed in double (so its rounding errors vanish) with fits
# of float's accuracy, in double coefficients.
FITS = {
    "erf_f": (erf_over_x, (0, 4.0**2), (5, 5), "float", 24, "erf(x) = x P(x^2) / Q(x^2), |x| <= 4"),
    "tanh_f": (tanh_over_x, (0, 9.1**2), (4, 4), "float", 24, "tanh(x) = x P(x^2) / Q(x^2), |x| <= 9.1"),
    "erfc_f": (erfc_scaled, (0, 10.2), (4, 5), "double", 24, "erfc(x) = e^(-x^2) P(x) / Q(x), 0 <= x <= 10.2"),
    "exp_f": (mp.exp, (-half_ln2, half_ln2), (6, 0), "double", 24, "e^r, |r| <= ln(2) / 2"),
    "erf_small_d": (erf_over_x, (0, 0.75**2), (4, 4), "double", 53, "erf(x) = x + x P(x^2) / Q(x^2), |x| < 0.75"),
    "erfc_d": (erfc_scaled, (0, 6), (8, 9), "double", 53, "erfc(x) = e^(-x^2) P(x) / Q(x), 0 <= x <= 6"),
    "erfc_tail_d": (erfc_scaled_tail, (1 / 27.3**2, 1 / 6.0**2), (4, 4), "double", 53,
                    "erfc(x) = e^(-x^2) P(x^-2) / (x Q(x^-2)), 6 <= x <= 27.3"),
    "tanh_small_d": (tanh_over_x, (0, 0.625**2), (3, 3), "double", 53,
                     "tanh(x) = x + x P(x^2) / Q(x^2), |x| < 0.625"),
    "exp_d": (mp.exp, (-half_ln2, half_ln2), (11, 0), "double", 53, "e^r, |r| <= ln(2) / 2"),
}


def main(names):
    for name in names or FITS:
        f, (lo, hi), (n, m), ctype, bits, what = FITS[name]
        single = ctype == "float"
        w = lambda v: 1 / f(v)  # noqa: E731 (relative error)
        npts = max(60, 12 * (n + m + 1))
        p, q = lawson(f, w, lo, hi, n, m, npts, 150)
        small = name.endswith("_small_d")
        g = (lambda v: f(v) - 1) if small else f  # noqa: E731
        qr = rounded(q, single)
        if name == "tanh_small_d":
            # tanh(x) / x - 1 is O(x^2): P(0) = 0 exactly, so that tanh(-0) = -0.
            g0 = lambda v: g(v) / v if v != 0 else mp.mpf(-1) / 3  # noqa: E731
            p = [mp.mpf(0)] + refit_numerator(g0, lambda v: w(v) * v, qr, lo, hi, n - 1, npts, 80)
        elif m > 0:
            p = refit_numerator(g, w, qr, lo, hi, n, npts, 80)
        elif small:
            p = [c - 1 if i == 0 else c for i, c in enumerate(p)]
        pr = rounded(p, single)
        unit = mp.mpf(2) ** -bits
        grid = [mp.mpf(lo) + (mp.mpf(hi) - lo) * i / 4000 for i in range(4001)]
        exact_err = max(abs(w(v) * (g(v) - horner(p, v) / horner(qr, v))) for v in grid)
        round_err = max(abs(w(v) * (g(v) - horner(pr, v) / horner(qr, v))) for v in grid)
        print(f"// {name}: {what}")
        print(f"//   fit error {mp.nstr(exact_err / unit, 3)} (Q rounded), with P rounded too "
              f"{mp.nstr(round_err / unit, 3)} (units of 2^-{bits})")
        print("//   P: " + ", ".join(literal(c, single) for c in pr))
        if m > 0:
            print("//   Q: " + ", ".join(literal(c, single) for c in qr))
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
