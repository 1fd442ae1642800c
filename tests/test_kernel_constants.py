"""The native float64 kernels' table and polynomial (csrc/kernels/logistic_f64_native.inc.h)
are what `python -m sigmoid_ext.bench.fit_expm1` derives: 2^(i/32) split into T_HI + T_LO,
and the minimax P of e^r - 1 = r + r^2 P(r) on |r| <= ln2/64.  Hand-edited constants would
still pass the bit-identity tests (every path reads the same ones), so they are checked
against their source here, and the polynomial's error against the bound the header states.
"""

import pathlib
import re

import pytest

pytest.importorskip("mpmath")
from sigmoid_ext.bench import fit_expm1  # noqa: E402

HEADER = pathlib.Path(__file__).resolve().parents[1] / "csrc/kernels/logistic_f64_native.inc.h"
HEX = r"-?0x[0-9a-f.]+p[+-]\d+"


def _header() -> str:
    if not HEADER.exists():
        pytest.skip("needs the source tree (csrc/)")
    return HEADER.read_text()


def test_table_rows_are_two_to_the_i_over_32_split_in_two():
    rows = [(float.fromhex(h), float.fromhex(lo))
            for h, lo in re.findall(rf"X\(({HEX}), ({HEX})\)", _header())]
    assert rows == fit_expm1.table()
    assert len(rows) == fit_expm1.TABLE_SIZE == 2 ** int(
        re.search(r"#define SX_F64_TABLE_BITS (\d+)", _header()).group(1))


def test_polynomial_is_the_fitted_one_and_within_its_bound():
    body = re.search(r"#define SX_F64_EXPM1_POLY\(r, q\)(.*?)while \(0\)", _header(), re.S).group(1)
    in_c = [float.fromhex(v) for v in re.findall(HEX, body)]
    # Horner from the top: c4 (times r) + c3, then c2, c1, c0
    coefficients, worst = fit_expm1.fit()
    assert in_c == list(reversed(coefficients))
    assert worst < 2.0 ** -63
