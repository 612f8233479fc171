"""ListOps-style nested expressions (Nangia & Bowman 2018), generated with a controlled depth.

    [MAX 2 9 [MIN 4 7 ] 0 ]  -> 9
    operators MAX, MIN, MED (int(np.median), as the original), SM (sum mod 10); digits 0-9;
    label: the expression's value, 0-9.

`listops(size, depths, rng)` draws each expression's depth (nesting of operators: `[MAX 1 2 ]` is
depth 1) uniformly from `depths`, then builds a tree whose deepest branch has exactly that depth:
the root gets 2..max_args arguments, one of them a subtree of depth d - 1, the others leaves or
(with probability `branch`) shallower subtrees. Each example is given both as a tree for the tree
runner (operators are nodes, digits leaves; `unroll.nn.tree.TreeBatch.from_trees`) and as the
token sequence with brackets for a sequence model.

Vocabulary (`VOCAB`): 0 padding, then the ten digits, the four operators (as node labels and as
opening tokens '[MAX' ...) and ']'.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_rng
from ..errors import InvalidValueError

__all__ = ["OPERATORS", "VOCAB", "TOKEN_ID", "ListOpsSet", "listops", "evaluate_tree", "tree_tokens"]

OPERATORS = ["MAX", "MIN", "MED", "SM"]
VOCAB = ["<pad>"] + [str(d) for d in range(10)] + [f"[{op}" for op in OPERATORS] + ["]"]
TOKEN_ID = {t: i for i, t in enumerate(VOCAB)}
_APPLY = {"MAX": max, "MIN": min, "MED": lambda v: int(np.median(v)), "SM": lambda v: sum(v) % 10}


def _tree(rng, depth: int, max_args: int, branch: float):
    """A tree (token id, [subtrees]) of exactly this depth; leaves are (digit id, [])."""
    if depth == 0:
        return (TOKEN_ID[str(int(rng.integers(10)))], [])
    op = OPERATORS[rng.integers(len(OPERATORS))]
    n = int(rng.integers(2, max_args + 1))
    deep = int(rng.integers(n))
    args = [_tree(rng, depth - 1 if k == deep else (int(rng.integers(depth)) if rng.random() < branch else 0),
                  max_args, branch) for k in range(n)]
    return (TOKEN_ID[f"[{op}"], args)


def evaluate_tree(tree) -> int:
    token, args = tree
    if not args:
        return int(VOCAB[token])
    return int(_APPLY[VOCAB[token][1:]]([evaluate_tree(a) for a in args]))


def tree_tokens(tree) -> list:
    """The bracketed token ids of a tree: [op, args..., ']']."""
    token, args = tree
    if not args:
        return [token]
    return [token] + [t for a in args for t in tree_tokens(a)] + [TOKEN_ID["]"]]


@dataclass
class ListOpsSet:
    """trees (list of nested pairs), labels (N,), depth (N,), sequences (N, T) padded ids, lengths (N,)."""
    trees: list
    labels: np.ndarray
    depth: np.ndarray
    sequences: np.ndarray
    lengths: np.ndarray

    def __len__(self):
        return len(self.labels)

    def subset(self, idx) -> "ListOpsSet":
        idx = np.asarray(idx)
        lengths = self.lengths[idx]
        return ListOpsSet([self.trees[i] for i in idx], self.labels[idx], self.depth[idx],
                          self.sequences[idx, :max(int(lengths.max()), 1)], lengths)

    def text(self, n: int) -> str:
        return " ".join(VOCAB[t] for t in self.sequences[n, :self.lengths[n]])


def listops(size: int, depths=(1, 2, 3, 4, 5, 6), rng=None, max_args: int = 4, branch: float = 0.25) -> ListOpsSet:
    """`size` expressions, depth uniform over `depths` (each >= 1)."""
    depths = list(depths)
    if size < 1 or not depths or min(depths) < 1 or max_args < 2:
        raise InvalidValueError(f"listops: expected size >= 1, depths >= 1 and max_args >= 2, "
                                f"got {size}, {depths}, {max_args}")
    rng = as_rng(rng)
    trees, labels, depth, seqs = [], [], [], []
    for _ in range(size):
        d = depths[rng.integers(len(depths))]
        tree = _tree(rng, d, max_args, branch)
        trees.append(tree)
        labels.append(evaluate_tree(tree))
        depth.append(d)
        seqs.append(tree_tokens(tree))
    lengths = np.array([len(s) for s in seqs])
    sequences = np.zeros((size, lengths.max()), np.int64)
    for n, s in enumerate(seqs):
        sequences[n, :len(s)] = s
    return ListOpsSet(trees, np.array(labels), np.array(depth), sequences, lengths)
