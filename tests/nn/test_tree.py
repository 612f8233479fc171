"""Tree runner: level kernels and whole trees by finite differences (float64), padding gets zero
gradient, a batch of trees equals the trees one by one, and a short ListOps run beats chance."""
import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll.data.listops import VOCAB, evaluate_tree, listops
from unroll.models.tree import TreeClassifier, accuracy_by_depth, train_listops
from unroll.nn.tree import (ChildSumTreeLSTM, TreeBatch, TreeRNN, child_sum_level_backward,
                            child_sum_level_forward, tree_rnn_level_backward, tree_rnn_level_forward)

TREES = [(0, [(1, []), (2, [(3, []), (4, []), (1, [])]), (5, [])]),  # depth 2, up to 3 children
         (2, [(3, []), (4, [])]),
         6]  # a leaf alone


def level_inputs(rng, n=4, K=3, H=3, G=1):
    mask = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 0]], bool)[:n, :K]
    return (rng.standard_normal((n, G * H)), rng.standard_normal((n, K, H)), rng.standard_normal((n, K, H)),
            mask, rng.standard_normal((G * H, H)), rng.standard_normal(G * H))


def test_tree_rnn_level_gradients():
    rng = np.random.default_rng(0)
    gx, hc, _, mask, w, b = level_inputs(rng)
    G = rng.standard_normal((4, 3))
    h, cache = tree_rnn_level_forward(gx, hc, mask, w, b)
    dgx, dhc, dw, db = tree_rnn_level_backward(G, cache, w)
    loss = lambda: float((tree_rnn_level_forward(gx, hc, mask, w, b)[0] * G).sum())  # noqa: E731
    assert_grads(loss, {"gx": gx, "hc": hc, "w": w, "b": b}, {"gx": dgx, "hc": dhc, "w": dw, "b": db})
    assert np.all(dhc[~mask] == 0)  # padded children: exactly zero


def test_child_sum_level_gradients():
    rng = np.random.default_rng(1)
    gx, hc, cc, mask, w, b = level_inputs(rng, G=4)
    Gh, Gc = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    (h, c), cache = child_sum_level_forward(gx, hc, cc, mask, w, b)
    dgx, dhc, dcc, dw, db = child_sum_level_backward(Gh, Gc, cache, w)

    def loss():
        (h, c), _ = child_sum_level_forward(gx, hc, cc, mask, w, b)
        return float((h * Gh).sum() + (c * Gc).sum())
    assert_grads(loss, {"gx": gx, "hc": hc, "cc": cc, "w": w, "b": b},
                 {"gx": dgx, "hc": dhc, "cc": dcc, "w": dw, "b": db})
    assert np.all(dhc[~mask] == 0) and np.all(dcc[~mask] == 0)


def test_tree_batch_structure():
    tree = TreeBatch.from_trees(TREES)
    assert tree.num_nodes == 11 and list(tree.depth) == [2, 1, 0] and len(tree.levels) == 3
    for level, ids in enumerate(tree.levels):  # children are on lower levels
        kids = tree.children[ids][tree.child_mask[ids]]
        assert all(k not in np.concatenate(tree.levels[level:]) for k in kids)


@pytest.mark.parametrize("cls", [TreeRNN, ChildSumTreeLSTM])
def test_tree_cell_gradients_through_structure(cls):
    rng = np.random.default_rng(2)
    tree = TreeBatch.from_trees(TREES)
    cell = cls(3, 4, dtype=np.float64, rng=3)
    x = rng.standard_normal((tree.num_nodes, 3))
    G = rng.standard_normal((tree.num_nodes, 4))
    h, cache = cell.forward(x, tree)
    dx = cell.backward(G, cache)
    assert_grads(lambda: float((cell.forward(x, tree)[0] * G).sum()), {"x": x, **cell.params},
                 {"x": dx, **cell.grads})


@pytest.mark.parametrize("cls", [TreeRNN, ChildSumTreeLSTM])
def test_batch_equals_trees_one_by_one(cls):
    rng = np.random.default_rng(4)
    cell = cls(3, 4, dtype=np.float64, rng=5)
    batch = TreeBatch.from_trees(TREES)
    x = rng.standard_normal((batch.num_nodes, 3))
    roots = cell.forward(x, batch)[0][batch.roots]
    start = 0
    for k, t in enumerate(TREES):
        single = TreeBatch.from_trees([t])
        n = single.num_nodes
        np.testing.assert_allclose(cell.forward(x[start:start + n], single)[0][single.roots[0]], roots[k],
                                   rtol=1e-12, atol=1e-12)
        start += n


def test_tree_classifier_gradients():
    data = listops(3, depths=(1, 2), rng=0)
    model = TreeClassifier(len(VOCAB), 10, embed=3, hidden=4, dtype=np.float64, rng=0)
    G = np.random.default_rng(1).standard_normal((3, 10))
    logits, _, cache = model.forward(data)
    model.backward(G, None, cache)
    used = np.unique(TreeBatch.from_trees(data.trees).tokens)
    unused = np.setdiff1d(np.arange(len(VOCAB)), used)
    assert np.all(model.grads["embedding.weight"][unused] == 0)  # tokens not in the batch
    assert_grads(lambda: float((model.forward(data)[0] * G).sum()), dict(model.params), dict(model.grads))


def test_listops_labels():
    data = listops(200, rng=0)
    assert all(evaluate_tree(t) == y for t, y in zip(data.trees, data.labels))
    assert np.array_equal(TreeBatch.from_trees(data.trees).depth, data.depth)
    assert data.text(0).startswith("[")


def test_tree_lstm_learns_listops_above_chance():
    """Depths 1-2, a short run: chance is about 0.2 (the most common label); several seeds' worst."""
    train, test = listops(1500, depths=(1, 2), rng=10), listops(400, depths=(1, 2), rng=11)
    accs = []
    for seed in (0, 1):
        model, _, _ = train_listops("tree-lstm", train, epochs=2, batch=32, lr=5e-3, embed=16, hidden=32, seed=seed)
        accs.append(accuracy_by_depth(model, test)["all"])
    chance = np.bincount(test.labels).max() / len(test)
    assert min(accs) > chance + 0.2, (accs, chance)
