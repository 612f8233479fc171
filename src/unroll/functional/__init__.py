"""Pure kernels: `<op>_forward(...) -> (out, cache)` and `<op>_backward(d_out, cache) -> gradients`.

Kernels know nothing of classes; modules in `unroll.nn` wrap them.
"""
from .attention import attention_backward, attention_forward, masked_softmax_backward, masked_softmax_forward
from .dropout import dropout_backward, dropout_forward
from .embedding import embedding_backward, embedding_forward
from .gru_cell import gru_gates, gru_step_backward, gru_step_forward
from .leaky_cell import leaky_step_backward, leaky_step_forward
from .linear import linear_backward, linear_forward
from .losses import mse_backward, mse_forward, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .lstm_cell import lstm_gates, lstm_step_backward, lstm_step_forward
from .peephole_cell import peephole_gates, peephole_step_backward, peephole_step_forward
from .pooling import (last_step_backward, last_step_forward, max_pool_backward, max_pool_forward,
                      mean_pool_backward, mean_pool_forward)
from .recurrent import recurrent_backward, recurrent_forward
from .rnn_cell import rnn_step_backward, rnn_step_forward
from .sequence import lengths_to_mask, reverse_padded

__all__ = [
    "attention_forward", "attention_backward", "masked_softmax_forward", "masked_softmax_backward",
    "dropout_forward", "dropout_backward", "embedding_forward", "embedding_backward",
    "gru_step_forward", "gru_step_backward", "leaky_step_forward", "leaky_step_backward",
    "linear_forward", "linear_backward", "lstm_step_forward", "lstm_step_backward",
    "mse_forward", "mse_backward", "softmax_cross_entropy_forward", "softmax_cross_entropy_backward",
    "recurrent_forward", "recurrent_backward", "rnn_step_forward", "rnn_step_backward",
    "lengths_to_mask", "reverse_padded", "lstm_gates", "gru_gates", "last_step_forward", "last_step_backward", "mean_pool_forward",
    "mean_pool_backward", "max_pool_forward", "max_pool_backward",
    "peephole_step_forward", "peephole_step_backward", "peephole_gates",
]
