"""CharLM: gradients against finite differences and PyTorch; dropout modes; configuration round trip."""
import numpy as np
import pytest

from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.gradcheck import gradcheck
from unroll.models import CharLM

V = 6


def _loss_and_grads(model, tokens, targets, lengths):
    logits, _, cache = model.forward(tokens, None, lengths)
    mask = np.arange(tokens.shape[1])[None] < lengths[:, None]
    loss, loss_cache = softmax_cross_entropy_forward(logits, targets, mask=mask)
    model.zero_grad()
    model.backward(softmax_cross_entropy_backward(1.0, loss_cache), None, cache)
    return loss, {k: g.copy() for k, g in model.grads.items()}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("embedding_dim", [None, 3])
def test_gradients_match_finite_differences(cell, embedding_dim):
    rng = np.random.default_rng(0)
    model = CharLM(V, cell, hidden_size=4, num_layers=2, embedding_dim=embedding_dim, dtype=np.float64, rng=rng)
    tokens, targets, lengths = rng.integers(0, V, (3, 5)), rng.integers(0, V, (3, 5)), np.array([5, 2, 4])
    _, grads = _loss_and_grads(model, tokens, targets, lengths)
    errors = gradcheck(lambda: _loss_and_grads(model, tokens, targets, lengths)[0], dict(model.params), grads)
    assert max(errors.values()) < 1e-6, errors
    assert ("embedding.weight" in model.params) == (embedding_dim is not None)


def test_matches_pytorch_embedding_lstm_linear():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    model = CharLM(V, "lstm", hidden_size=5, num_layers=2, embedding_dim=4, dtype=np.float64, rng=rng)

    class Reference(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(V, 4)
            self.rnn = torch.nn.LSTM(4, 5, num_layers=2, batch_first=True)
            self.decoder = torch.nn.Linear(5, V)

        def forward(self, tokens):
            return self.decoder(self.rnn(self.embedding(tokens))[0])

    ref = Reference().double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    tokens, targets = rng.integers(0, V, (2, 7)), rng.integers(0, V, (2, 7))
    loss, grads = _loss_and_grads(model, tokens, targets, np.array([7, 7]))
    ref_loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(tokens)).reshape(-1, V),
                                                 torch.from_numpy(targets).reshape(-1))
    ref_loss.backward()
    assert loss == pytest.approx(ref_loss.item(), rel=1e-12)
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_dropout_only_in_training_and_variational_masks_are_fixed_over_time():
    model = CharLM(V, "gru", hidden_size=8, embedding_dim=8, dropout=0.5, variational=True, rng=0)
    tokens = np.zeros((2, 6), dtype=np.int64)  # the same input at every step
    _, _, cache = model.forward(tokens)
    in_mask = model.open_cache(cache, None)[1].data  # the input dropout's mask (B, 1, E), broadcast over time
    assert in_mask.shape == (2, 1, 8) and set(np.unique(in_mask)) <= {0.0, 2.0}
    model.eval()
    a, _, _ = model.forward(tokens)
    b, _, _ = model.forward(tokens)
    np.testing.assert_array_equal(a, b)


def test_config_rebuilds_the_model_and_bad_arguments_are_named():
    model = CharLM(V, "rnn", hidden_size=3, embedding_dim=None, rng=0)
    twin = CharLM(**model.config())
    twin.load_state_dict(model.state_dict())
    tokens = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(model.forward(tokens)[0], twin.forward(tokens)[0])
    with pytest.raises(ValueError, match="cell"):
        CharLM(V, "transformer")
    with pytest.raises(ValueError, match=r"tokens: expected ids in \[0, 6\)"):
        model.forward(np.array([[7]]))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_cache_free_steps_equal_forward(cell):
    """Sampling reads characters with `step` (no BPTT cache); it must be the same model as forward."""
    model = CharLM(V, cell, hidden_size=5, num_layers=2, embedding_dim=3, dtype=np.float64, rng=1).eval()
    tokens = np.random.default_rng(2).integers(0, V, size=(3, 7))
    logits, state, _ = model.forward(tokens)
    last, stepped = model.step_logits(tokens)
    np.testing.assert_allclose(last, logits[:, -1], rtol=0, atol=1e-12)
    for a, b in zip(np.atleast_1d(stepped), np.atleast_1d(state)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
