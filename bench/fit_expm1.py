"""Where the native float64 kernels' constants come from (csrc/kernels/logistic_f64_native.inc.h).

    python -m sigmoid_ext.bench.fit_expm1            # prints the tables and P's coefficients

e^-|x| = 2^(j/32) e^r with |r| <= ln2/64.  The table holds 2^(i/32) as T_HI + T_LO (T_HI
the double nearest, T_LO the double nearest the rest); e^r - 1 = q = r + r^2 P(r) with P
of degree 4.  P minimises max |r^2 (P(r) - f(r))|, f = (e^r - 1 - r)/r^2, which is the
absolute error of q and so the relative error it leaves in T (1 + q).  Lawson's
iteration (iteratively reweighted least squares, which converges to the minimax
weights) runs in 50-digit arithmetic on Chebyshev points; the coefficients are then
rounded to double and the error is measured with those doubles.
"""

from __future__ import annotations

import mpmath as mp

TABLE_SIZE = 32
DEGREE = 4


def table() -> list[tuple[float, float]]:
    """(T_HI, T_LO) for 2^(i/TABLE_SIZE), i = 0..TABLE_SIZE-1."""
    with mp.workdps(60):
        rows = []
        for i in range(TABLE_SIZE):
            t = mp.power(2, mp.mpf(i) / TABLE_SIZE)
            hi = float(t)
            rows.append((hi, float(t - mp.mpf(hi))))
        return rows


def fit(points: int = 400, iterations: int = 60) -> tuple[list[float], float]:
    """P's coefficients (constant term first) as doubles, and max |q - (e^r - 1)|."""
    with mp.workdps(50):
        a = mp.log(2) / (2 * TABLE_SIZE)
        xs = [a * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / points) for k in range(points)]
        target = [(mp.expm1(r) - r) / r**2 for r in xs]
        weights = [mp.mpf(1) / points] * points
        for _ in range(iterations):
            rows = mp.matrix(points, DEGREE + 1)
            rhs = mp.matrix(points, 1)
            for i, r in enumerate(xs):
                scale = mp.sqrt(weights[i]) * r**2
                for j in range(DEGREE + 1):
                    rows[i, j] = scale * r**j
                rhs[i] = scale * target[i]
            c = mp.lu_solve(rows.T * rows, rows.T * rhs)
            err = [abs(r**2 * (mp.polyval(list(reversed(c)), r) - t)) for r, t in zip(xs, target)]
            total = sum(w * e for w, e in zip(weights, err))
            weights = [w * e / total for w, e in zip(weights, err)]
        coefficients = [float(c[j]) for j in range(DEGREE + 1)]
        worst = mp.mpf(0)
        for k in range(-2000, 2001):
            r = a * k / 2000
            p = mp.polyval([mp.mpf(v) for v in reversed(coefficients)], r)
            worst = max(worst, abs(r + r**2 * p - mp.expm1(r)))
        return coefficients, float(worst)


def main() -> None:
    print(f"/* 2^(i/{TABLE_SIZE}) = T_HI + T_LO */")
    for hi, lo in table():
        print(f"    X({float.hex(hi)}, {float.hex(lo)}) \\")
    coefficients, worst = fit()
    print(f"/* P(r), constant term first; max |q - (e^r - 1)| = {worst:.3g}"
          f" = 2^{float(mp.log(worst, 2)):.1f} */")
    for c in coefficients:
        print(f"    {float.hex(c)}")


if __name__ == "__main__":
    main()
