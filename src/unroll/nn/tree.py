"""Recursive (tree-structured) networks: the tree runner beside the sequence runner.

A node's state is computed from its input x_j and its children's states; weights are shared over
all nodes (Goodfellow et al. 10.6). Two cells, with PyTorch-style names:

    tree RNN:       h_j = tanh(W_ih x_j + b_ih + W_hh sum_k h_k + b_hh)               weight_ih (H, D)
    Child-Sum Tree-LSTM (Tai, Socher & Manning 2015, eq. 2-8), gate order i, f, u, o as LSTM's i, f, g, o:
        h~_j  = sum_k h_k
        i_j   = sigmoid(W_i x_j + U_i h~_j + b_i)      o_j = sigmoid(W_o x_j + U_o h~_j + b_o)
        u_j   = tanh(W_u x_j + U_u h~_j + b_u)
        f_jk  = sigmoid(W_f x_j + U_f h_k + b_f)       one forget gate per child k
        c_j   = i_j * u_j + sum_k f_jk * c_k           h_j = o_j * tanh(c_j)
        weight_ih (4H, D), weight_hh (4H, H), bias_ih, bias_hh (4H,)

Batching over trees of different shapes (`TreeBatch`): the nodes of all trees are numbered in one
array (children before parents), and a node's level is 1 + the deepest child's (leaves 0). The
forward runs level by level: all nodes of a level, from every tree, in one set of GEMMs; the
backward (backpropagation through structure) runs the levels in reverse, each node's gradient
being complete when its level comes because its parent's level went first. Children are a padded
(N, K) index into the state buffers, whose extra last row is the zero state; padded children are
masked, so they get (and pass) exactly zero gradient. The input projections of all nodes are one
GEMM before the levels, and the input-weight gradients one GEMM after.

    tree = TreeBatch.from_trees([(op, [(3, []), (op, [(1, []), (4, [])])]), ...])
    cell = ChildSumTreeLSTM(D, H)
    h, cache = cell.forward(x, tree)         # x (N, D) node inputs -> h (N, H) every node's state
    dx = cell.backward(dh, cache)            # dh (N, H) -> dx (N, D); weight grads into cell.grads
    h[tree.roots]                            # (B, H) the roots
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_rng, check_array, check_dtype, check_size
from ..errors import InvalidTypeError, InvalidValueError
from ..init import pytorch_default
from .module import Module

__all__ = ["TreeBatch", "TreeRNN", "ChildSumTreeLSTM", "tree_rnn_level_forward", "tree_rnn_level_backward",
           "child_sum_level_forward", "child_sum_level_backward"]


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ---------------------------------------------------------------- kernels: one level of nodes
def tree_rnn_level_forward(gx, h_children, mask, w_hh, b_hh):
    """gx (n, H) input projections, h_children (n, K, H), mask (n, K) -> h (n, H), cache."""
    h_sum = (h_children * mask[:, :, None]).sum(1)  # (n, H)
    h = np.tanh(gx + h_sum @ w_hh.T + b_hh)
    return h, (h, h_sum, mask)


def tree_rnn_level_backward(dh, cache, w_hh):
    """dh (n, H) -> (dgx (n, H), dh_children (n, K, H), dw_hh (H, H), db_hh (H,))."""
    h, h_sum, mask = cache
    da = dh * (1.0 - h * h)  # (n, H)
    dh_children = (da @ w_hh)[:, None, :] * mask[:, :, None]  # (n, K, H): every child sees d h~
    return da, dh_children, da.T @ h_sum, da.sum(0)


def child_sum_level_forward(gx, h_children, c_children, mask, w_hh, b_hh):
    """gx (n, 4H), h_children, c_children (n, K, H), mask (n, K) -> (h, c) each (n, H), cache."""
    H = h_children.shape[2]
    m = mask[:, :, None]  # (n, K, 1)
    h_sum = (h_children * m).sum(1)  # (n, H)
    a = gx + h_sum @ w_hh.T + b_hh  # (n, 4H): the f block is replaced below
    i, u, o = _sigmoid(a[:, :H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
    a_f = (gx[:, H:2 * H] + b_hh[H:2 * H])[:, None, :] + h_children @ w_hh[H:2 * H].T  # (n, K, H)
    f = _sigmoid(a_f) * m  # (n, K, H), 0 on padded children
    c = i * u + (f * c_children).sum(1)
    tanh_c = np.tanh(c)
    return (o * tanh_c, c), (i, u, o, f, tanh_c, h_sum, h_children, c_children, m)


def child_sum_level_backward(dh, dc, cache, w_hh):
    """dh, dc (n, H) -> (dgx (n, 4H), dh_children (n, K, H), dc_children (n, K, H), dw_hh (4H, H), db_hh (4H,))."""
    i, u, o, f, tanh_c, h_sum, h_children, c_children, m = cache
    H = dh.shape[1]
    dc_total = dc + dh * o * (1.0 - tanh_c * tanh_c)  # (n, H): all paths into c_j
    da_f = dc_total[:, None, :] * c_children * f * (1.0 - f)  # (n, K, H); f = 0 masks padding
    da = np.empty((dh.shape[0], 4 * H), dh.dtype)  # [i | f (sum over children) | u | o]
    da[:, :H] = dc_total * u * i * (1.0 - i)
    da[:, H:2 * H] = da_f.sum(1)
    da[:, 2 * H:3 * H] = dc_total * i * (1.0 - u * u)
    da[:, 3 * H:] = dh * tanh_c * o * (1.0 - o)
    w_iuo = w_hh.copy()
    w_iuo[H:2 * H] = 0.0  # f's recurrent part reads each child, not h~
    dh_children = ((da @ w_iuo)[:, None, :] + da_f @ w_hh[H:2 * H]) * m  # (n, K, H)
    dw_hh = da.T @ h_sum  # (4H, H), then the f rows from the children
    dw_hh[H:2 * H] = da_f.reshape(-1, H).T @ h_children.reshape(-1, H)
    return da, dh_children, dc_total[:, None, :] * f, dw_hh, da.sum(0)


# ---------------------------------------------------------------- batches of trees
@dataclass(frozen=True)
class TreeBatch:
    """Trees flattened into one node numbering (children before parents).

    tokens (N,) the node labels; children (N, K) child ids, padded with N (the zero row);
    child_mask (N, K); levels: list of (n_l,) node ids, level 0 the leaves; roots (B,); depth (B,)
    the number of levels above the leaves of each tree (a leaf alone: 0)."""
    tokens: np.ndarray
    children: np.ndarray
    child_mask: np.ndarray
    levels: tuple
    roots: np.ndarray
    depth: np.ndarray

    @property
    def num_nodes(self) -> int:
        return len(self.tokens)

    @classmethod
    def from_trees(cls, trees) -> "TreeBatch":
        """trees: list of nested (token, [subtrees]) pairs; a bare int is a leaf."""
        if not trees:
            raise InvalidValueError("trees: expected at least one tree, got none")
        tokens, kids, level, roots = [], [], [], []

        def visit(tree):
            token, subtrees = (tree, []) if isinstance(tree, (int, np.integer)) else tree
            ids = [visit(t) for t in subtrees]
            tokens.append(int(token))
            kids.append(ids)
            level.append(1 + max((level[k] for k in ids), default=-1))
            return len(tokens) - 1

        for tree in trees:
            roots.append(visit(tree))
        N, K = len(tokens), max(1, max(len(k) for k in kids))
        children = np.full((N, K), N, np.int64)
        for j, ids in enumerate(kids):
            children[j, :len(ids)] = ids
        level = np.array(level)
        roots = np.array(roots)
        return cls(np.array(tokens), children, children < N, tuple(np.flatnonzero(level == d)
                                                                    for d in range(level.max() + 1)),
                   roots, level[roots])


# ---------------------------------------------------------------- modules
class _TreeCell(Module):
    gates = 1

    def __init__(self, input_size: int, hidden_size: int, dtype=np.float32, rng=None):
        super().__init__()
        self.input_size, self.hidden_size = check_size("input_size", input_size), check_size("hidden_size", hidden_size)
        self.dtype = check_dtype(dtype)
        rng = as_rng(rng)
        GH = self.gates * hidden_size
        for name, shape in (("weight_ih", (GH, input_size)), ("weight_hh", (GH, hidden_size)),
                            ("bias_ih", (GH,)), ("bias_hh", (GH,))):
            self.add_param(name, pytorch_default(shape, hidden_size, rng, self.dtype))

    def _check(self, x, tree):
        if not isinstance(tree, TreeBatch):
            raise InvalidTypeError(f"tree: expected a TreeBatch, got {type(tree).__name__}")
        check_array("x", x, (tree.num_nodes, self.input_size), self.dtype)

    def forward(self, x: np.ndarray, tree: TreeBatch):
        """x (N, D) one input per node -> (h (N, H) every node's state, cache)."""
        self._check(x, tree)
        p = self.params
        gx = x @ p["weight_ih"].T + p["bias_ih"]  # (N, G H): every node's input projection, one GEMM
        N, H = tree.num_nodes, self.hidden_size
        states = [np.zeros((N + 1, H), self.dtype) for _ in range(self.num_states)]  # row N: the zero state
        caches = []
        for ids in tree.levels:
            ch = tree.children[ids]  # (n, K)
            out, cache = self._level_forward(gx[ids], [s[ch] for s in states], tree.child_mask[ids])
            for s, o in zip(states, out):
                s[ids] = o
            caches.append(cache)
        h = states[0][:N]
        return h, self.make_cache(h, (x, tree, caches))

    def backward(self, dh: np.ndarray, cache):
        """dh (N, H) -> dx (N, D); weight gradients added to self.grads."""
        x, tree, caches = self.open_cache(cache, dh)
        N, H = tree.num_nodes, self.hidden_size
        d_states = [np.zeros((N + 1, H), self.dtype) for _ in range(self.num_states)]
        d_states[0][:N] = dh
        dgx = np.zeros((N, self.gates * H), self.dtype)
        w_hh = self.params["weight_hh"]
        g = self.grads
        for ids, level_cache in zip(reversed(tree.levels), reversed(caches)):
            ch = tree.children[ids]
            dgx[ids], d_children, dw_hh, db_hh = self._level_backward([d[ids] for d in d_states], level_cache, w_hh)
            for d, dc in zip(d_states, d_children):
                d[ch] += dc  # a child has one parent: no index repeats but the padding row
            g["weight_hh"] += dw_hh
            g["bias_hh"] += db_hh
        g["weight_ih"] += dgx.T @ x
        g["bias_ih"] += dgx.sum(0)
        return dgx @ self.params["weight_ih"]


class TreeRNN(_TreeCell):
    """Recursive network with a tanh composition of the children's sum: h_j = tanh(W_ih x_j + b_ih + W_hh sum h_k + b_hh)."""

    gates, num_states = 1, 1

    def _level_forward(self, gx, children, mask):
        h, cache = tree_rnn_level_forward(gx, children[0], mask, self.params["weight_hh"], self.params["bias_hh"])
        return (h,), cache

    def _level_backward(self, d, cache, w_hh):
        dgx, dh_children, dw, db = tree_rnn_level_backward(d[0], cache, w_hh)
        return dgx, (dh_children,), dw, db


class ChildSumTreeLSTM(_TreeCell):
    """Child-Sum Tree-LSTM; `forward` returns h; the memory cells are in the cache."""

    gates, num_states = 4, 2

    def _level_forward(self, gx, children, mask):
        return child_sum_level_forward(gx, children[0], children[1], mask, self.params["weight_hh"],
                                       self.params["bias_hh"])

    def _level_backward(self, d, cache, w_hh):
        dgx, dh_children, dc_children, dw, db = child_sum_level_backward(d[0], d[1], cache, w_hh)
        return dgx, (dh_children, dc_children), dw, db
