"""Models composed from unroll.nn: the character-level language model and its sampler."""
from .char_lm import CELLS, CharLM
from .sampling import next_char_distribution, sample

__all__ = ["CharLM", "CELLS", "sample", "next_char_distribution"]
