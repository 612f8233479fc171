"""Tree classifiers (tree RNN, Child-Sum Tree-LSTM) and the sequential BiLSTM baseline, on ListOps.

    model = TreeClassifier(len(VOCAB), 10, embed=32, hidden=64, cell="tree-lstm", rng=0)
    logits, _, cache = model.forward(listops_batch)    # a ListOpsSet (or a TreeBatch): (B, 10)
    model.backward(d_logits, None, cache)

TreeClassifier: embedding of each node's label -> tree cell over the tree -> linear on the root.
BiLSTMClassifier: embedding of the bracketed token sequence -> bidirectional LSTM -> max-pool over
the valid steps -> linear. Both take a `ListOpsSet` (its trees, or its padded sequences and lengths),
so one objective and one batch source serve both (`ListOpsObjective`, `ListOpsBatches`).
"""
from __future__ import annotations

import time

import numpy as np

from .. import functional as F
from .. import nn
from ..data.listops import ListOpsSet
from ..errors import InvalidValueError
from ..nn.tree import ChildSumTreeLSTM, TreeBatch, TreeRNN
from ..optim import Adam
from ..training import Budget, Clipping, Objective, Trainer

__all__ = ["TreeClassifier", "BiLSTMClassifier", "ListOpsObjective", "ListOpsBatches", "train_listops",
           "accuracy_by_depth"]

TREE_CELLS = {"tree-lstm": ChildSumTreeLSTM, "tree-rnn": TreeRNN}


class TreeClassifier(nn.Module):
    def __init__(self, vocab_size: int, num_classes: int, embed: int = 32, hidden: int = 64,
                 cell: str = "tree-lstm", dtype=np.float32, rng=None):
        super().__init__()
        if cell not in TREE_CELLS:
            raise InvalidValueError(f"cell: expected one of {sorted(TREE_CELLS)}, got {cell!r}")
        self.embedding = self.add_module(nn.Embedding(vocab_size, embed, dtype=dtype, rng=rng), "embedding")
        self.cell = self.add_module(TREE_CELLS[cell](embed, hidden, dtype=dtype, rng=rng), "cell")
        self.out = self.add_module(nn.Linear(hidden, num_classes, dtype=dtype, rng=rng), "output")

    def forward(self, x, state=None, lengths=None):
        """x: a ListOpsSet or a TreeBatch -> (logits (B, C), None, cache)."""
        tree = x if isinstance(x, TreeBatch) else TreeBatch.from_trees(x.trees)
        vectors, _, c1 = self.embedding.forward(tree.tokens)  # (N, E)
        h, c2 = self.cell.forward(vectors, tree)  # (N, H)
        logits, _, c3 = self.out.forward(h[tree.roots])  # (B, C)
        return logits, None, self.make_cache(logits, (tree, h.shape, c1, c2, c3))

    def backward(self, dy, d_state, cache):
        tree, shape, c1, c2, c3 = self.open_cache(cache, dy)
        d_root, _ = self.out.backward(dy, None, c3)
        dh = np.zeros(shape, d_root.dtype)
        dh[tree.roots] = d_root  # only the roots are read out
        self.embedding.backward(self.cell.backward(dh, c2), None, c1)
        return None, None


class BiLSTMClassifier(nn.Module):
    def __init__(self, vocab_size: int, num_classes: int, embed: int = 32, hidden: int = 64,
                 dtype=np.float32, rng=None):
        super().__init__()
        self.embedding = self.add_module(nn.Embedding(vocab_size, embed, dtype=dtype, rng=rng), "embedding")
        self.lstm = self.add_module(nn.LSTM(embed, hidden, bidirectional=True, dtype=dtype, rng=rng), "lstm")
        self.pool = nn.MaxPool()
        self.out = self.add_module(nn.Linear(2 * hidden, num_classes, dtype=dtype, rng=rng), "output")

    def forward(self, x: ListOpsSet, state=None, lengths=None):
        vectors, _, c1 = self.embedding.forward(x.sequences)  # (B, T, E)
        h, _, c2 = self.lstm.forward(vectors, lengths=x.lengths)  # (B, T, 2H)
        pooled, _, c3 = self.pool.forward(h, lengths=x.lengths)  # (B, 2H)
        logits, _, c4 = self.out.forward(pooled)
        return logits, None, self.make_cache(logits, (c1, c2, c3, c4))

    def backward(self, dy, d_state, cache):
        c1, c2, c3, c4 = self.open_cache(cache, dy)
        d, _ = self.out.backward(dy, None, c4)
        d, _ = self.pool.backward(d, None, c3)
        d, _ = self.lstm.backward(d, None, c2)
        self.embedding.backward(d, None, c1)
        return None, None


class ListOpsObjective(Objective):
    """Batches are ListOpsSets; softmax cross-entropy of the label, count B; evaluate adds accuracy."""

    unit = "expr"

    def loss(self, model, batch, carry):
        logits, _, cache = model.forward(batch)
        loss, ce = F.softmax_cross_entropy_forward(logits, batch.labels)
        return loss * len(batch), len(batch), None, (cache, ce, logits.dtype)

    def backward(self, model, count, cache):
        model_cache, ce, dtype = cache
        model.backward(F.softmax_cross_entropy_backward(1.0, ce).astype(dtype), None, model_cache)

    def evaluate(self, model, batches):
        total, right, n = 0.0, 0, 0
        for batch in batches:
            logits = model.forward(batch)[0]
            total += F.softmax_cross_entropy_forward(logits, batch.labels)[0] * len(batch)
            right += int((logits.argmax(-1) == batch.labels).sum())
            n += len(batch)
        return total / n, {"accuracy": right / n}


class ListOpsBatches:
    """A fixed set in shuffled batches; epoch e shuffles with (seed, e). shuffle=False: in order."""

    def __init__(self, data: ListOpsSet, batch: int, seed: int = 0, shuffle: bool = True):
        self.data, self.batch, self.seed, self.shuffle = data, batch, seed, shuffle

    def epoch(self, epoch: int):
        n = len(self.data)
        order = np.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch):
            yield self.data.subset(order[start:start + self.batch])


def accuracy_by_depth(model, data: ListOpsSet, batch: int = 256) -> dict:
    """{depth: accuracy} and 'all'."""
    preds = np.concatenate([model.forward(b)[0].argmax(-1) for b in ListOpsBatches(data, batch, shuffle=False).epoch(0)])
    right = preds == data.labels
    table = {int(d): float(right[data.depth == d].mean()) for d in np.unique(data.depth)}
    table["all"] = float(right.mean())
    return table


def train_listops(kind: str, train: ListOpsSet, epochs: int = 10, batch: int = 32, lr: float = 2e-3,
                  embed: int = 32, hidden: int = 64, seed: int = 0, minutes=None, progress=False):
    """Train 'tree-lstm', 'tree-rnn' or 'bilstm' with Adam and norm clipping 5 -> (model, seconds, trainer)."""
    from ..data.listops import VOCAB
    if kind == "bilstm":
        model = BiLSTMClassifier(len(VOCAB), 10, embed, hidden, rng=seed)
    else:
        model = TreeClassifier(len(VOCAB), 10, embed, hidden, kind, rng=seed)
    trainer = Trainer(model, ListOpsObjective(), Adam(model.params, lr=lr), ListOpsBatches(train, batch, seed),
                      rng=np.random.default_rng(seed), budget=Budget(epochs=epochs, minutes=minutes),
                      clipping=Clipping(norm=5.0), progress=progress)
    start = time.perf_counter()
    trainer.fit()
    return model, time.perf_counter() - start, trainer
