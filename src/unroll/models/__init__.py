"""Models composed from unroll.nn: the character-level language model and its sampler, the
encoder-decoder with attention and its decoders, the conditioned (caption-style) generator, and
the tree-structured classifiers, the sequence classifier and tagger with their baselines, and
forecasting."""
from .char_lm import CharLM
from .sampling import next_char_distribution, sample
from .conditioned import ConditionedGenerator
from .decoding import beam_search, greedy
from .seq2seq import Seq2Seq, load_seq2seq, save_seq2seq
from .tree import BiLSTMClassifier, TreeClassifier
from .baselines import BagOfWords, WindowClassifier, WindowMLP
from .classifier import SequenceClassifier
from .forecast import run_forecast
from .tagger import CharWordEncoder, SequenceTagger

__all__ = ["CharLM", "sample", "next_char_distribution", "ConditionedGenerator", "greedy", "beam_search",
           "Seq2Seq", "save_seq2seq", "load_seq2seq", "TreeClassifier", "BiLSTMClassifier", "BagOfWords",
           "WindowMLP", "WindowClassifier", "SequenceClassifier", "SequenceTagger", "CharWordEncoder", "run_forecast"]
