"""The cell registry: every recurrent cell is declared here once, and everything else reads it.

A `CellSpec` says what a cell is: its name (the string users pass: `CharLM(cell="gru")`,
`unroll train --cell gru`), its `Cell` class and the constructor options that select it, its gate
multiple G, the names of its state parts, whether b_hh folds into the input projection, which
of its stacked gates are sigmoids (for the diagnostics), the torch.nn class with the same equations
(for interop and the parity tests) and its named initialisers. The CLI choice lists, the model
builders, the `unroll gradcheck` table, the interop map and the tests' parametrisations all read
`CELLS`; docs/adding_a_cell.md says how to add one.

    spec = registry.get("lstm")
    layer = registry.build_layer("lstm", 64, 128, num_layers=2)        # an LSTM stack
    registry.initialize(layer, "chrono", rng, max_steps=100)          # in place, every cell
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import init
from .._checks import as_rng, check_option
from ..errors import InvalidValueError

__all__ = ["CellSpec", "CELLS", "register", "get", "names", "spec_of", "build_cell", "build_layer", "fused_kernels",
           "initialize"]


@dataclass(frozen=True)
class CellSpec:
    """One cell, declared once.

    name: registry key. cell: the `Cell` subclass; options: the constructor options that make it
    this cell (RNNCell with nonlinearity 'relu' is 'rnn-relu'). gates: G, weight_ih is (G*H, D).
    state: None for a state that is one array h, else the NamedTuple class users see (its first
    field is always the output h, e.g. LSTMState(h, c)). fold_b_hh: b_hh only ever
    adds to the input projection, so the runner adds it there once. sigmoid_gates: gate name ->
    block index in the stacked gates; gate_reader: step cache -> {block index: (B, H)}, the
    accessor beside the step kernel that reads the gate values out of its cache (diagnostics). torch: (torch.nn layer class name, its options) with the same
    equations and parameter layout, or None. initializers: name -> fn(cell, rng, max_steps) that
    re-initialises a cell's parameters in place; 'default' (PyTorch's U(+-1/sqrt(H))) is every
    cell's and is what the constructor draws.
    """

    name: str
    cell: type
    gates: int
    state: type | None = None
    fold_b_hh: bool = True
    options: dict = field(default_factory=dict)
    sigmoid_gates: dict = field(default_factory=dict)
    gate_reader: Callable | None = None
    torch: tuple | None = None
    initializers: dict = field(default_factory=dict)
    description: str = ""

    @property
    def num_states(self) -> int:
        return 1 if self.state is None else len(self.state._fields)

    @property
    def state_names(self) -> tuple:
        return ("h",) if self.state is None else self.state._fields

    def describe_state(self) -> str:
        """How users pass this cell's state, for error messages."""
        return "an array h" if self.state is None else f"{self.state.__name__}({', '.join(self.state_names)})"


CELLS: dict[str, CellSpec] = {}


def register(name: str, **spec) -> Callable[[type], type]:
    """Class decorator: declare the decorated `Cell` subclass under `name` (see `CellSpec`).

    A class may be registered under several names with different `options` (stacked decorators
    apply bottom-up: the one nearest the class is its canonical `SPEC`) (gates, state and folding are the same for all of them).
    """
    def declare(cls: type) -> type:
        if name in CELLS:
            raise InvalidValueError(f"cell registry: {name!r} is already registered (by {CELLS[name].cell.__name__})")
        entry = CellSpec(name=name, cell=cls, **spec)
        CELLS[name] = entry
        cls.__dict__.get("SPEC") or setattr(cls, "SPEC", entry)
        return cls
    return declare


def _loaded() -> dict[str, CellSpec]:
    from . import cells  # noqa: F401  (importing the cells fills the registry)
    return CELLS


def names(torch_only: bool = False) -> list[str]:
    """Registered cell names, in declaration order; torch_only: those with a torch.nn counterpart."""
    return [n for n, s in _loaded().items() if s.torch is not None or not torch_only]


def get(name: str) -> CellSpec:
    """The spec of a registered cell; an unknown name raises with the list of known ones."""
    check_option("cell", name, set(_loaded()))
    return CELLS[name]


def spec_of(cell) -> CellSpec:
    """The registry entry a `Cell` instance is an instance of (its class and options)."""
    for spec in _loaded().values():
        if type(cell) is spec.cell and all(getattr(cell, k) == v for k, v in spec.options.items()):
            return spec
    return type(cell).SPEC


def build_cell(name: str, input_size: int, hidden_size: int, **kwargs):
    """A cell of the named kind; kwargs go to its constructor (bias, dtype, rng, alpha ...)."""
    spec = get(name)
    return spec.cell(input_size, hidden_size, **{**spec.options, **kwargs})


def build_layer(name: str, input_size: int, hidden_size: int, **kwargs):
    """A `RecurrentStack` of the named cell; kwargs as RNN/LSTM/GRU's (num_layers, dropout, ...) and
    the cell's own options (alpha for the leaky cell)."""
    from .rnn import RecurrentStack
    return RecurrentStack(input_size, hidden_size, cell=name, **kwargs)


def initialize(module, scheme: str, rng=None, max_steps: int = 100):
    """Re-initialise every cell inside `module` (a cell, runner, Bidirectional or stack) in place.

    scheme: 'default' or one of the cell's named initialisers; max_steps: the longest time scale the
    chrono initialiser aims at (the task's T). Returns the module.
    """
    rng = as_rng(rng)
    for cell in _cells_of(module):
        spec = spec_of(cell)
        schemes = {"default": _default, **spec.initializers}
        check_option(f"init for cell {spec.name!r}", scheme, set(schemes))
        schemes[scheme](cell, rng, max_steps)
    return module


def _cells_of(module) -> list:
    from .cells import Cell
    if isinstance(module, Cell):
        return [module]
    found = [m for m in module._children if isinstance(m, Cell)]
    for child in module._children:
        if not isinstance(child, Cell):
            found += _cells_of(child)
    return found


# ---------------------------------------------------------------- initialisers the entries share
def _default(cell, rng, max_steps):
    for p in cell.params.values():
        p[...] = init.pytorch_default(p.shape, cell.hidden_size, rng, p.dtype)


def orthogonal_recurrent(cell, rng, max_steps):
    """W_hh's gate blocks orthogonal (Saxe et al. 2014): every singular value 1."""
    w = cell.params["weight_hh"]
    w[...] = init.orthogonal(w.shape, rng=rng, dtype=w.dtype)


def identity_recurrent(cell, rng, max_steps):
    """IRNN (Le et al. 2015): W_hh = I, zero biases, inputs N(0, 0.001^2)."""
    p = cell.params
    p["weight_hh"][...] = init.identity(p["weight_hh"].shape, dtype=p["weight_hh"].dtype)
    p["weight_ih"][...] = 0.001 * rng.standard_normal(p["weight_ih"].shape)
    for key in ("bias_ih", "bias_hh"):
        if key in p:
            p[key][...] = 0.0


def forget_bias_one(cell, rng, max_steps):
    """LSTM forget-gate bias 1 (Gers et al. 2000; Jozefowicz et al. 2015), set through b_ih alone."""
    _require_bias(cell, "forget_bias")
    cell.params["bias_hh"][...] = 0.0
    init.forget_gate_bias(cell.params["bias_ih"], 1.0)


def chrono(cell, rng, max_steps):
    """Chrono initialisation (Tallec & Ollivier 2018) for time scales up to max_steps."""
    _require_bias(cell, "chrono")
    cell.params["bias_hh"][...] = 0.0
    init.chrono_bias(cell.params["bias_ih"], max(int(max_steps), 3), rng=rng)


def _require_bias(cell, scheme: str) -> None:
    if not cell.bias:
        raise InvalidValueError(f"init {scheme!r}: expected a cell with biases, got bias=False")


# ---------------------------------------------------------------- the fused path's lookup
def fused_kernels(cell):
    """The fused (compiled) kernels of a `Cell` instance, or None: the cell's registry name looked up
    in `unroll.functional.fused.FUSED_CELLS` (the one table of which cells have fused kernels).

    Only an instance of exactly the registered class qualifies: a subclass may override `kernels()`,
    and then only the reference runner runs what it says. Imports Numba on the first call.
    """
    from ..functional.fused import FUSED_CELLS
    spec = spec_of(cell)
    if type(cell) is not spec.cell or spec.name not in FUSED_CELLS:
        return None
    from ..functional.fused.runner import FusedKernels
    return FusedKernels.for_cell(cell, spec.name)
