"""`unroll gradcheck`: finite-difference check of every cell's backward pass through time, in float64.

For each cell of the registry (Elman tanh and relu, LSTM, GRU, leaky integrator, ...) a small two-layer bidirectional
stack runs over a padded batch of variable lengths from a random initial state; the loss is a
fixed random projection of the outputs and final states, so every gradient path is exercised.
Analytic gradients of the inputs, the initial state and every parameter are compared with
central differences; relative errors under 1e-6 pass.
"""
from __future__ import annotations

import numpy as np

from ..gradcheck import gradcheck
from ..nn import registry
from ..nn.state import from_tuple, to_tuple
from . import one_line_errors

TOLERANCE = 1e-6


def check_layer(name: str, seed: int = 0) -> dict:
    """Relative errors (array name -> float) of one cell's stack; see the module docstring."""
    rng = np.random.default_rng(seed)
    B, T, D, H = 3, 5, 4, 3
    layer = registry.build_layer(name, D, H, num_layers=2, bidirectional=True, dtype=np.float64, rng=rng)
    x = rng.standard_normal((B, T, D))
    lengths = np.array([5, 3, 1])
    states0 = tuple(rng.standard_normal((4, B, H)) * 0.5 for _ in range(layer.spec.num_states))
    out_weight = rng.standard_normal((B, T, 2 * H))
    state_weights = tuple(rng.standard_normal((4, B, H)) for _ in states0)

    def loss() -> float:
        y, state, _ = layer.forward(x, from_tuple(states0, layer.state_type), lengths)
        return float((y * out_weight).sum() + sum((s * w).sum() for s, w in zip(to_tuple(state), state_weights)))

    _, _, cache = layer.forward(x, from_tuple(states0, layer.state_type), lengths)
    layer.zero_grad()
    dx, d_state0 = layer.backward(out_weight, from_tuple(state_weights, layer.state_type), cache)
    arrays = {"x": x, **{f"state0[{k}]": s for k, s in enumerate(states0)}, **layer.params}
    grads = {"x": dx, **{f"state0[{k}]": g for k, g in enumerate(to_tuple(d_state0))}, **layer.grads}
    return gradcheck(loss, arrays, grads)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("gradcheck", help="numerical gradient check of every cell (float64)",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=0, help="seed of the random weights and inputs")
    one_line_errors(p).set_defaults(func=run)


def run(args) -> int:
    worst_overall = 0.0
    print(f"{'cell':<10} {'arrays':>6} {'worst relative error':>22}  worst array")
    for name in registry.names():
        errors = check_layer(name, args.seed)
        worst = max(errors, key=errors.get)
        worst_overall = max(worst_overall, errors[worst])
        flag = "ok" if errors[worst] < TOLERANCE else "FAIL"
        print(f"{name:<10} {len(errors):>6} {errors[worst]:>22.2e}  {worst} {flag}")
    passed = worst_overall < TOLERANCE
    print(f"{'all passed' if passed else 'FAILED'}: worst {worst_overall:.2e} (tolerance {TOLERANCE:g})")
    return 0 if passed else 1
