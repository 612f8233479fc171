"""Explicit memory: the Neural Turing Machine's addressing kernels and model, and the end-to-end
memory network (MemN2N). See docs/memory.md for the equations and measured results."""
from . import addressing
from .heads import HeadParams, address_backward, address_forward, head_activations_backward, \
    head_activations_forward, head_size
from .ntm import NTM, NTMState

__all__ = ["addressing", "HeadParams", "head_size", "head_activations_forward", "head_activations_backward",
           "address_forward", "address_backward", "NTM", "NTMState"]
