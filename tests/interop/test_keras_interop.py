"""Keras 3 (torch backend) <-> unroll: outputs and final states equal to 1e-5 in float32 on random
inputs, with masks (Keras) = lengths (unroll); weights round-trip exactly; refusals name the fix."""
import numpy as np
import pytest

keras = pytest.importorskip("keras")
from unroll import nn  # noqa: E402
from unroll.interop.keras import _weights, from_keras, to_keras  # noqa: E402
from unroll.nn.state import to_tuple  # noqa: E402

B, T, D, H = 3, 6, 4, 5
LENGTHS = np.array([6, 3, 1])
MASK = np.arange(T)[None, :] < LENGTHS[:, None]  # (B, T) bool
VALID = MASK[:, :, None]
ATOL = 1e-5


def numpy(t):
    """A Keras output as NumPy (torch backend: .detach().numpy(); np.array(tensor) warns on NumPy 2)."""
    return t.detach().cpu().numpy() if hasattr(t, "detach") else keras.ops.convert_to_numpy(t)


def inputs(seed=0):
    return np.random.default_rng(seed).standard_normal((B, T, D)).astype(np.float32)


def randomize(layer, seed=1):
    """Non-default weights everywhere (Keras' zero biases would hide a bias mix-up)."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype(np.float32) for w in _weights(layer)])
    return layer


def keras_layer(kind, bidirectional, merge="concat", **options):
    layer = getattr(keras.layers, kind)(H, return_sequences=True, return_state=True, **options)
    layer = keras.layers.Bidirectional(layer, merge_mode=merge) if bidirectional else layer
    layer.build((None, None, D))
    return randomize(layer)


def assert_same(keras_out, ours_y, ours_state, bidirectional, valid=VALID):
    y, *states = [numpy(t) for t in keras_out]
    np.testing.assert_allclose(np.where(valid, y, 0), ours_y, atol=ATOL)  # Keras repeats outputs past a length
    parts = to_tuple(ours_state)  # each (dirs, B, H)
    per_direction = len(parts)
    for d in range(2 if bidirectional else 1):
        for k, part in enumerate(parts):
            np.testing.assert_allclose(states[d * per_direction + k], part[d], atol=ATOL)


CASES = [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu"}), ("LSTM", {}), ("GRU", {}),
         ("GRU", {"use_bias": False})]


@pytest.mark.parametrize("kind,options", CASES)
@pytest.mark.parametrize("bidirectional,merge", [(False, "concat"), (True, "concat"), (True, "sum")])
def test_from_keras_matches_with_masks(kind, options, bidirectional, merge):
    theirs = keras_layer(kind, bidirectional, merge, **options)
    ours = from_keras(theirs)
    assert ours.bidirectional == bidirectional and ours.merge == merge and ours.dtype == np.float32
    x = inputs()
    y, state, _ = ours.forward(x, lengths=LENGTHS)
    assert_same(theirs(x, mask=MASK), y, state, bidirectional)
    y_full, state_full, _ = ours.forward(x)
    assert_same(theirs(x), y_full, state_full, bidirectional, valid=True)


@pytest.mark.parametrize("cell", ["rnn", "rnn-relu", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_to_keras_matches_and_round_trips(cell, bidirectional):
    ours = nn.RecurrentStack(D, H, num_layers=2, bidirectional=bidirectional, cell=cell, rng=3)
    theirs = to_keras(ours)
    assert isinstance(theirs, list) and len(theirs) == 2
    x = inputs(1)
    y, state, _ = ours.forward(x, lengths=LENGTHS)
    out = x
    for layer in theirs:
        result = layer(out, mask=MASK)
        out = result[0]
    last_layer = tuple(p[-(2 if bidirectional else 1):] for p in to_tuple(state))  # Keras' states: the last layer's
    assert_same(result, y, last_layer, bidirectional)
    back, p = from_keras(theirs).params, ours.params
    for key in p:
        if key.startswith("bias_") and cell != "gru":  # Keras has one bias: b_ih + b_hh comes back as b_ih
            other = key.replace("bias_ih", "bias_hh") if "bias_ih" in key else key.replace("bias_hh", "bias_ih")
            np.testing.assert_allclose(back[key] + back[other], p[key] + p[other], atol=1e-6, err_msg=key)
        else:
            np.testing.assert_array_equal(back[key], p[key], err_msg=key)


def test_a_keras_stack_becomes_one_unroll_stack():
    first = keras.layers.LSTM(H, return_sequences=True)
    second = keras.layers.LSTM(H, return_state=True)
    model = keras.Sequential([keras.Input((None, D)), first, second])
    for layer in (first, second):
        randomize(layer, seed=7)
    ours = from_keras(model)
    assert isinstance(ours, nn.RecurrentStack) and ours.num_layers == 2
    x = inputs(2)
    y, state, _ = ours.forward(x)
    last, h, c = [numpy(t) for t in second(first(x))]
    np.testing.assert_allclose(last, y[:, -1], atol=ATOL)
    np.testing.assert_allclose(h, state.h[1], atol=ATOL)
    np.testing.assert_allclose(c, state.c[1], atol=ATOL)


@pytest.mark.parametrize("recurrent,pool,expected", [
    (lambda: [keras.layers.GRU(H, return_sequences=True), keras.layers.GRU(H)], [], "LastStep"),
    (lambda: [keras.layers.Bidirectional(keras.layers.LSTM(H, return_sequences=True)),
              keras.layers.Bidirectional(keras.layers.LSTM(H, return_sequences=True))],
     [keras.layers.GlobalAveragePooling1D()], "MeanPool"),
])
def test_a_keras_classifier_becomes_an_unroll_sequential_and_back(recurrent, pool, expected):
    V = 11
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(V, D), *recurrent(), *pool,
                              keras.layers.Dropout(0.1), keras.layers.Dense(3)])
    for layer in model.layers:
        randomize(layer, seed=4)
    ours = from_keras(model).eval()
    assert [type(m).__name__ for m in ours.modules] == ["Embedding", "RecurrentStack", expected, "Dropout", "Linear"]
    assert ours.modules[1].num_layers == 2
    tokens = np.random.default_rng(5).integers(0, V, (B, T))
    expected_logits = numpy(model(tokens, training=False))
    np.testing.assert_allclose(ours.forward(tokens)[0], expected_logits, atol=ATOL)
    again = to_keras(ours)
    np.testing.assert_allclose(numpy(again(tokens, training=False)), expected_logits, atol=ATOL)


def test_dense_and_embedding_both_ways():
    dense = randomize(keras.layers.Dense(3))
    dense.build((None, D))
    randomize(dense)
    x = inputs(3)
    np.testing.assert_allclose(from_keras(dense).forward(x)[0], numpy(dense(x)), atol=ATOL)
    linear = nn.Linear(D, 3, rng=0)
    np.testing.assert_allclose(numpy(to_keras(linear)(x)), linear.forward(x)[0], atol=ATOL)
    emb = nn.Embedding(7, D, rng=0)
    tokens = np.array([[0, 6, 3]])
    np.testing.assert_array_equal(numpy(to_keras(emb)(tokens)), emb.forward(tokens)[0])
    np.testing.assert_array_equal(from_keras(to_keras(emb)).params["weight"], emb.params["weight"])


def test_refusals_name_the_fix():
    gru_v1 = keras.layers.GRU(H, reset_after=False)
    gru_v1.build((None, None, D))
    with pytest.raises(ValueError, match="expected a GRU with reset_after=True.*got reset_after=False"):
        from_keras(gru_v1)
    backwards = keras.layers.LSTM(H, go_backwards=True)
    backwards.build((None, None, D))
    with pytest.raises(ValueError, match="expected go_backwards=False outside a Bidirectional"):
        from_keras(backwards)
    with pytest.raises(ValueError, match="expected a built layer"):
        from_keras(keras.layers.LSTM(H))
    with pytest.raises(ValueError, match="merge_mode 'concat' or 'sum', got 'mul'"):
        from_keras(keras_layer("LSTM", True, "mul"))
    with pytest.raises(TypeError, match="cell 'peephole' has no Keras counterpart"):
        to_keras(nn.RecurrentStack(D, H, cell="peephole"))
    two_kinds = [keras.layers.GRU(H, return_sequences=True), keras.layers.LSTM(H)]
    for layer in two_kinds:
        layer.build((None, None, H))
    with pytest.raises(ValueError, match="expected stacked layers of one cell, size, direction and bias"):
        from_keras(two_kinds)
    with pytest.raises(ValueError, match="Dense with the linear activation"):
        dense = keras.layers.Dense(2, activation="relu")
        dense.build((None, D))
        from_keras(dense)
