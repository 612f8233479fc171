"""Small data for the classic demos: bipolar letter bitmaps (no download), and the scikit-learn
digits protocol of its "RBM features" example (scikit-learn is a peer: `load_digits` only).

    letters()                      # (6, 140) in {-1, +1}: A, E, H, O, T, X, 14 x 10 pixels
    digits_rbm_split()             # the example's nudged, min-max scaled 80/20 split (needs sklearn)
"""
from __future__ import annotations

import numpy as np

from ..errors import CommandError

__all__ = ["letters", "LETTER_SHAPE", "nudge", "digits_rbm_split", "load_sklearn_data"]

_FONT = {  # 7 x 5 bitmaps, drawn at 2 x 2 pixels per dot
    "A": ["..#..", ".#.#.", "#...#", "#...#", "#####", "#...#", "#...#"],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
    "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
}
LETTER_SHAPE = (14, 10)


def letters(names: str = "AEHOTX") -> np.ndarray:
    """Bipolar bitmaps of the given letters (from A, E, H, O, T, X), (len(names), 140) float64."""
    out = []
    for ch in names:
        dots = np.array([[c == "#" for c in row] for row in _FONT[ch]], dtype=float)   # (7, 5)
        out.append((np.kron(dots, np.ones((2, 2))) * 2 - 1).ravel())                 # (140,)
    return np.array(out)


def nudge(X: np.ndarray, y: np.ndarray, side: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's example augmentation: the images X (B, side*side) plus copies moved by one
    pixel up, left, right and down (zero filled). Returns (5B, side*side) and the labels (5B,)."""
    imgs = X.reshape(-1, side, side)
    moved = [imgs]
    for axis, shift in ((1, -1), (2, -1), (2, 1), (1, 1)):   # the four convolution kernels' moves
        m = np.roll(imgs, shift, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = slice(None, 1) if shift > 0 else slice(-1, None)
        m[tuple(edge)] = 0
        moved.append(m)
    return np.concatenate(moved).reshape(-1, side * side), np.tile(y, 5)


def load_sklearn_data(name: str):
    """(X, y) of scikit-learn's bundled 'digits' or 'iris' (no download); a CommandError naming
    the package if scikit-learn is absent."""
    try:
        from sklearn import datasets
    except ImportError:
        raise CommandError(f"the {name} data come from scikit-learn, which is not installed: "
                           "pip install scikit-learn (a peer for demos and tests, not a dependency)") from None
    d = datasets.load_digits() if name == "digits" else datasets.load_iris()
    return np.asarray(d.data, np.float64), np.asarray(d.target)


def digits_rbm_split(rng_state: int = 0):
    """The scikit-learn RBM example's data: digits nudged in 4 directions, min-max scaled to
    [0, 1] per feature, split 80/20 with a permutation seeded by rng_state (scikit-learn's
    train_test_split(test_size=0.2, random_state=0) when it is installed). Returns float32
    X_train, X_test, y_train, y_test."""
    X, y = load_sklearn_data("digits")
    X, y = nudge(X, y)
    lo, hi = X.min(0), X.max(0)
    X = ((X - lo) / np.where(hi > lo, hi - lo, 1.0)).astype(np.float32)
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=0.2, random_state=rng_state)
