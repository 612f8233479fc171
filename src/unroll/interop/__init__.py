"""Weights to and from other frameworks. `unroll.interop.torch` imports torch only when called."""
