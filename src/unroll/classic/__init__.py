"""The other feedback networks of the course, outside the BPTT world: Hopfield networks, Boltzmann
machines (general and restricted), competitive learning and Kohonen's self-organising map.

All are estimators with scikit-learn's conventions (unroll.estimators): `__init__` stores,
`fit` returns self and never modifies its input, learned attributes end in `_`, `rng` is a
Generator or a seed. `save_model` / `load_model` write and read any of them (safetensors + JSON).
docs/classic.md gives every update rule beside its equation and the measured results.
"""
from .boltzmann import BoltzmannMachine, encoder_connectivity, encoder_patterns
from .competitive import CompetitiveLearning, gaussian_mixture
from .hopfield import Hopfield, capacity_curve, critical_load, flip_bits
from .io import load_model, save_model
from .rbm import RBM
from .som import SOM

__all__ = ["Hopfield", "capacity_curve", "critical_load", "flip_bits", "BoltzmannMachine", "encoder_connectivity",
           "encoder_patterns", "RBM", "CompetitiveLearning", "gaussian_mixture", "SOM", "save_model", "load_model"]
