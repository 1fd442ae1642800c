"""The exhaustive float32 checker on the subset CI can afford: every 97th bit pattern
(44 million inputs) on every ISA path.  The full run is `python -m
sigmoid_ext.bench.exhaustive` (all 2^32 inputs)."""

from bounds import f32_bound, f32_not_cr_rate

from sigmoid_ext.bench import exhaustive


def test_every_97th_float32():
    totals = exhaustive.run(stride=97, progress=False)
    for isa, t in totals.items():
        assert t["count"] > 44_000_000, isa
        assert t["max_ulp"] <= f32_bound(isa, "sigmoid"), (isa, t)
        assert t["nonmonotone"] == 0, (isa, t)
        assert t["special_ok"], isa
        assert t["not_cr"] < t["count"] * f32_not_cr_rate(isa, "sigmoid"), (isa, t)
