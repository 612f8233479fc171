"""Modules: parameters and gradients in dicts keyed like PyTorch, state in and out, caches returned."""
from .bidirectional import Bidirectional
from .cells import Cell, GRUCell, LeakyRNNCell, LSTMCell, RNNCell
from .dropout import Dropout
from .embedding import Embedding, OneHot
from .linear import Linear
from .module import Cache, Module
from .pooling import LastStep, MaxPool, MeanPool
from .recurrent import Recurrent
from .rnn import GRU, LSTM, RNN, LeakyRNN, RecurrentStack
from .sequential import Sequential
from . import registry
from .state import LSTMState

__all__ = [
    "Module", "Cell", "RNNCell", "LSTMCell", "GRUCell", "LeakyRNNCell", "Recurrent", "Bidirectional",
    "RecurrentStack", "RNN", "LSTM", "GRU", "LeakyRNN", "Linear", "Embedding", "OneHot", "Dropout", "Sequential",
    "LSTMState", "LastStep", "MeanPool", "MaxPool", "Cache", "registry",
]
