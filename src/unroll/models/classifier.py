"""Many-to-one: a sequence classifier (sentiment, topic) over words.

    model = SequenceClassifier(vocab, labels=["neg", "pos"], cell="lstm", bidirectional=True, pool="max")
    logits, _, cache = model.forward(ids, lengths=lengths)        # ids (B, T) ints, logits (B, C)
    model.backward(d_logits, None, cache)                          # gradients accumulate in model.grads
    model.predict(["a gripping, funny film"]), model.predict_proba([...])    # on raw strings
    tokens, saliency, probs = model.saliency("i don't like this movie")     # |dL/dx_t| per word
    model.save("runs/clf"); SequenceClassifier.load("runs/clf")

Embedding (padding_idx 0 = <pad>) -> input dropout -> (bi)directional RNN/LSTM/GRU stack ->
pooling over the valid steps ('last', 'mean' or 'max', see functional/pooling.py) -> dropout ->
Linear to C classes. Parameter names are PyTorch's: `embedding.weight`, `rnn.weight_ih_l0`,
`rnn.weight_ih_l0_reverse`, ..., `head.weight`, `head.bias`. For a bidirectional 'last' pool the
reverse direction contributes its output at the last valid step, which has read one word only;
'max' and 'mean' see both directions over the whole sentence (the usual choice).

The model owns its vocabulary, labels and tokenizer settings, so a checkpoint (safetensors + JSON,
`config()` in the JSON) alone can classify raw text.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import __version__
from .._checks import as_rng, check_dtype, check_option
from ..checkpoint import CONFIG_FILE, load_checkpoint, save_checkpoint
from ..data.words import WordVocabulary, bucketed_batches, pad_batch, tokenize
from ..errors import InvalidTypeError, InvalidValueError
from ..functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from ..nn import Dropout, Embedding, LastStep, Linear, MaxPool, MeanPool, Sequential, registry

__all__ = ["SequenceClassifier", "TextClassifier", "POOLS", "resolve_checkpoint", "module_input_gradient"]

POOLS = {"last": LastStep, "mean": MeanPool, "max": MaxPool}
FORMAT = "unroll.classifier"


def as_vocabulary(vocabulary) -> WordVocabulary:
    if isinstance(vocabulary, WordVocabulary):
        return vocabulary
    if isinstance(vocabulary, dict):
        return WordVocabulary.from_dict(vocabulary)
    raise InvalidTypeError(f"vocabulary: expected a WordVocabulary or its to_dict(), got {type(vocabulary).__name__}")


def resolve_checkpoint(path) -> Path:
    """A checkpoint directory, or a training output directory (its best/, else its checkpoint/)."""
    path = Path(path)
    for candidate in (path, path / "best", path / "checkpoint"):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"{path}: expected a model directory with {CONFIG_FILE} (or best/ or checkpoint/ "
                            f"holding one), found none")


def load_model(cls, path, fmt: str):
    """Rebuild `cls(**meta['model'])` from a checkpoint written by `save` or by the Trainer."""
    tensors, meta = load_checkpoint(resolve_checkpoint(path))
    if meta.get("format") != fmt:
        raise InvalidValueError(f"{path}: expected a {fmt!r} checkpoint, found format {meta.get('format')!r}")
    model = cls(**meta["model"])
    model.load_state_dict({k: v for k, v in tensors.items() if k in model.params})
    return model.eval()


def module_input_gradient(modules, x, lengths, d_output_of):
    """dL/d(input of modules[0]) for a chain of modules, leaving every module's grads as they were.

    d_output_of: y -> dL/dy of the chain's output. Returns (dL/dx, y)."""
    saved = [{k: g.copy() for k, g in m.grads.items()} for m in modules]
    caches, y = [], x
    for m in modules:
        y, _, cache = m.forward(y, None, lengths)
        caches.append(cache)
    d = d_output_of(y)
    for m, cache in zip(reversed(modules), reversed(caches)):
        d, _ = m.backward(d, None, cache)
    for m, grads in zip(modules, saved):
        for k, g in grads.items():
            np.copyto(m.grads[k], g)
    return d, y


class TextClassifier:
    """What a classifier of raw text needs besides its modules: `vocab`, `labels`, `lowercase`; encoding,
    padding, predict_proba/predict and save/load. Mixed into `SequenceClassifier` and the window
    baseline (`unroll.models.baselines.WindowClassifier`), which are Sequentials mapping
    (ids (B, T), lengths) to logits (B, C)."""

    FORMAT = FORMAT

    # ---------------------------------------------------------------- raw text
    def tokenize(self, text: str) -> list[str]:
        return tokenize(text, self.lowercase)

    def encode(self, texts) -> list[list[int]]:
        """Raw strings -> lists of word ids (an empty text becomes one <unk>)."""
        if isinstance(texts, str):
            raise InvalidTypeError("texts: expected a list of strings, got one str (wrap it in a list)")
        return [self.vocab.encode(self.tokenize(t)) or [self.vocab.unk_id] for t in texts]

    def collate(self, examples: list) -> tuple[np.ndarray, np.ndarray]:
        """Lists of ids -> (ids (B, T), lengths (B,))."""
        return pad_batch(examples, self.vocab.pad_id)

    def predict_proba(self, texts, batch_size: int = 256) -> np.ndarray:
        """Raw strings -> class probabilities (N, C), in eval mode."""
        examples = self.encode(texts)
        probs = np.zeros((len(examples), len(self.labels)))
        was_training = self.training
        self.eval()
        try:
            for rows in bucketed_batches([len(e) for e in examples], batch_size, shuffle=False):
                ids, lengths = self.collate([examples[i] for i in rows])
                logits = self.forward(ids, lengths=lengths)[0].astype(np.float64)  # (B, C)
                z = np.exp(logits - logits.max(axis=1, keepdims=True))
                probs[rows] = z / z.sum(axis=1, keepdims=True)
        finally:
            self.train(was_training)
        return probs

    def predict(self, texts, batch_size: int = 256) -> list[str]:
        """Raw strings -> the most probable label of each."""
        return [self.labels[k] for k in self.predict_proba(texts, batch_size).argmax(axis=1)]

    # ---------------------------------------------------------------- files
    def save(self, directory) -> None:
        """Weights (safetensors, PyTorch names) + config.json (config, vocabulary, labels), atomically."""
        save_checkpoint(directory, dict(self.params), {"format": self.FORMAT, "unroll_version": __version__,
                                                       "model": self.config()})

    @classmethod
    def load(cls, path) -> "SequenceClassifier":
        """From `save`'s directory or a training run's (best/ if there is one, else checkpoint/); eval mode."""
        return load_model(cls, path, cls.FORMAT)


class SequenceClassifier(TextClassifier, Sequential):
    """vocabulary (WordVocabulary or its dict); labels: class names, C >= 2; cell: a registered cell;
    embedding_dim E, hidden_size H, num_layers, bidirectional; pool 'last' | 'mean' | 'max';
    embedding_dropout (on the embedded words), dropout (between layers and before the head);
    lowercase: how raw text is tokenised (`unroll.data.words.tokenize`)."""

    def __init__(self, vocabulary, labels, cell: str = "lstm", embedding_dim: int = 128, hidden_size: int = 128,
                 num_layers: int = 1, bidirectional: bool = True, pool: str = "max", embedding_dropout: float = 0.0,
                 dropout: float = 0.0, lowercase: bool = True, dtype=np.float32, rng=None):
        registry.get(cell)
        check_option("pool", pool, set(POOLS))
        vocab, labels = as_vocabulary(vocabulary), [str(label) for label in labels]
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise InvalidValueError(f"labels: expected at least 2 distinct class names, got {labels!r}")
        dtype, rng = check_dtype(dtype), as_rng(rng)
        rnn = registry.build_layer(cell, embedding_dim, hidden_size, num_layers=num_layers, dropout=dropout,
                                   bidirectional=bidirectional, dtype=dtype, rng=rng)
        super().__init__(embedding=Embedding(len(vocab), embedding_dim, padding_idx=vocab.pad_id, dtype=dtype, rng=rng),
                         input_drop=Dropout(embedding_dropout, rng=rng), rnn=rnn, pool=POOLS[pool](),
                         output_drop=Dropout(dropout, rng=rng),
                         head=Linear(rnn.output_size, len(labels), dtype=dtype, rng=rng))
        self.vocab, self.labels, self.cell, self.pool_name = vocab, labels, cell, pool
        self.embedding_dim, self.hidden_size, self.num_layers = embedding_dim, hidden_size, num_layers
        self.bidirectional, self.embedding_dropout, self.dropout = bidirectional, embedding_dropout, dropout
        self.lowercase, self.dtype, self.rng = lowercase, dtype, rng

    def config(self) -> dict:
        """The constructor's arguments as JSON, vocabulary included: `SequenceClassifier(**config())`."""
        return {"vocabulary": self.vocab.to_dict(), "labels": self.labels, "cell": self.cell,
                "embedding_dim": self.embedding_dim, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "bidirectional": self.bidirectional, "pool": self.pool_name,
                "embedding_dropout": self.embedding_dropout, "dropout": self.dropout, "lowercase": self.lowercase,
                "dtype": self.dtype.name}

    def forward(self, ids: np.ndarray, state=None, lengths=None):
        """ids (B, T) ints in [0, V); lengths (B,) or None -> (logits (B, C), final RNN state, cache)."""
        if np.ndim(ids) != 2:
            raise InvalidValueError(f"ids: expected 2 dimensions (B, T), got shape {np.shape(ids)}")
        return super().forward(ids, state, lengths)

    def saliency(self, text: str, label: str | None = None):
        """Why a sentence got its score: ||dL/dx_t||_2 per word, x_t the word's embedding, L the
        cross-entropy of `label` (default: the predicted one), in eval mode; the model's grads are left
        as they were. Returns (tokens, saliency (T,) float64, probabilities (C,))."""
        tokens = self.tokenize(text) or [self.vocab.words[self.vocab.unk_id]]
        ids = np.array([self.vocab.encode(tokens)])  # (1, T)
        lengths = np.array([ids.shape[1]])
        was_training = self.training
        self.eval()
        try:
            x, _, _ = self.embedding.forward(ids)  # (1, T, E)
            rest = self.modules[1:]
            logits = self.forward(ids, lengths=lengths)[0].astype(np.float64)[0]  # (C,)
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            if label is not None and label not in self.labels:
                raise InvalidValueError(f"label: expected one of {self.labels}, got {label!r}")
            target = int(probs.argmax()) if label is None else self.labels.index(label)

            def d_logits(y):
                loss, cache = softmax_cross_entropy_forward(y, np.array([target]))
                return softmax_cross_entropy_backward(1.0, cache).astype(y.dtype)
            dx, _ = module_input_gradient(rest, x, lengths, d_logits)  # (1, T, E)
        finally:
            self.train(was_training)
        return tokens, np.linalg.norm(dx[0].astype(np.float64), axis=-1), probs
