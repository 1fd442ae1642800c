"""Build hook: the only thing setup.py declares is the cffi extension (see pyproject.toml).

cffi compiles its API-mode module against CPython's limited API (``.abi3.so``), so the
wheel is tagged ``cp39-abi3``: one wheel per platform serves every CPython >= 3.9.
"""

from setuptools import setup

setup(cffi_modules=["sigmoid_ext/_build_ffi.py:ffibuilder"],
      options={"bdist_wheel": {"py_limited_api": "cp39"}})
