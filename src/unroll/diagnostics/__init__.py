"""Understanding recurrent networks: functions that return arrays, and plots of them.

- gradient flow through time, ||dL/dh_k|| against k (`gradient_flow`, `state_gradients`);
- step Jacobians dstate_t/dstate_{t-1}, singular values of their products against the lag, and the
  spectral radius / largest singular value of W_hh (`step_jacobians`,
  `jacobian_product_singular_values`, `recurrent_spectrum`);
- input saliency ||dL/dx_k|| (`input_saliency`);
- LSTM/GRU gate values and saturation (`gate_activations`, `gate_saturation`), read from the
  forward cache.

All take a one-layer, forward-in-time layer (RNN, LSTM, GRU, LeakyRNN or a `Recurrent`) and, where
gradients are involved, its forward cache and dL/d output; gradients come from the runner's own
BPTT (`Recurrent.run_backward` with every step's state gradient kept), and none touches the model's
grads.
Plotting lives in `unroll.diagnostics.plots` (matplotlib, imported only there, only when called).
"""
from .gates import gate_activations, gate_saturation
from .gradient_flow import gradient_flow, single_layer, state_gradients
from .jacobians import jacobian_product_singular_values, recurrent_spectrum, step_jacobians
from .saliency import input_saliency

__all__ = [
    "single_layer", "state_gradients", "gradient_flow", "input_saliency",
    "step_jacobians", "jacobian_product_singular_values", "recurrent_spectrum",
    "gate_activations", "gate_saturation",
]
