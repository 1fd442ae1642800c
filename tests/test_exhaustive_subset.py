"""The exhaustive float32 checker on the subset CI can afford: every 97th bit pattern
(44 million inputs) on every ISA path.  The full run is `python -m
sigmoid_ext.bench.exhaustive` (all 2^32 inputs)."""

from sigmoid_ext.bench import exhaustive


def test_every_97th_float32():
    totals = exhaustive.run(stride=97, progress=False)
    for isa, t in totals.items():
        assert t["count"] > 44_000_000, isa
        # Kernel error bound: 0.5 ulp + 2^-16 from the final rounding of the double value.
        assert t["max_ulp"] <= 0.5 + 2.0**-16, (isa, t)
        assert t["nonmonotone"] == 0, (isa, t)
        assert t["special_ok"], isa
        assert t["not_cr"] < t["count"] * 1e-5, (isa, t)    # near-correct rounding
