"""Data: vocabularies, padding and batching, synthetic tasks, time-series generators, bundled datasets.

Import from the submodules (unroll.data.chaotic, unroll.data.text, ...).
"""
