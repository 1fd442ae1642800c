"""Build hook: the only thing setup.py declares is the cffi extension (see pyproject.toml)."""

from setuptools import setup

setup(cffi_modules=["sigmoid_ext/_build_ffi.py:ffibuilder"])
