"""Reservoir computing: echo state networks with a sparse random reservoir and a learned readout.

See docs/reservoir.md for the guide, the decisions and the measured results.
"""
from .esn import ESN
from .io import load_esn, save_esn
from .matrices import spectral_radius
from .readouts import LMS, RLS, Ridge
from .reservoir import Reservoir, reservoir_step

__all__ = ["ESN", "Reservoir", "reservoir_step", "Ridge", "RLS", "LMS", "spectral_radius", "save_esn", "load_esn"]
