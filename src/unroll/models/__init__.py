"""Models composed from unroll.nn: the character-level language model and its sampler."""
from .char_lm import CharLM
from .sampling import next_char_distribution, sample

__all__ = ["CharLM", "sample", "next_char_distribution"]
