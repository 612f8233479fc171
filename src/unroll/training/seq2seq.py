"""Training and evaluating translation models (`unroll.models.seq2seq.Seq2Seq`) through the Trainer.

    data = TranslationData.from_file("spa.txt")                      # split + vocabularies (pairs.py)
    trainer = train_translation(data, TranslationRecipe(), out="runs/spa", minutes=30)
    model, src_vocab, tgt_vocab, meta = load_seq2seq("runs/spa")
    scores = evaluate_translation(model, src_vocab, tgt_vocab, data.split.test, beam=5)

The objective is the summed cross-entropy of the target tokens (</s> included, padding masked), per
target token; one batch is (src (B, S), src_lengths (B,), tgt_in (B, T) = <s> y, tgt_out (B, T) =
y </s>, tgt_lengths (B,)), bucketed by source length. Validation reports the loss per token and,
with `val_bleu`, greedy BLEU on the validation pairs. Checkpoints hold the model's config, both
vocabularies and the recipe, so `load_seq2seq` rebuilds the model from any of them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .. import __version__
from ..data.pairs import EOS, BOS, build_vocabularies, filter_length, read_pairs, split_pairs
from ..data.words import WordVocabulary, bucketed_batches, pad_batch
from ..errors import InvalidValueError
from ..functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from ..models.decoding import beam_search, greedy
from ..models.seq2seq import FORMAT, Seq2Seq
from ..optim import Adam
from .loop import Budget, Checkpointing, Clipping, Objective, Trainer, Validation

__all__ = ["TranslationRecipe", "TranslationData", "PairBatches", "Seq2SeqObjective", "ConditionedObjective",
           "CaptionBatches", "make_trainer",
           "train_translation", "translate_batch", "evaluate_translation"]


@dataclass(frozen=True)
class TranslationRecipe:
    """The defaults are the recipe of `unroll translate train` (docs/translation.md)."""

    cell: str = "gru"
    embedding_dim: int = 256
    hidden_size: int = 256
    num_layers: int = 1
    attention: str = "bahdanau"
    score: str | None = None
    dropout: float = 0.0
    batch_size: int = 64
    lr: float = 1e-3
    clip_norm: float = 5.0
    sampling_rate: float = 0.0
    eval_every: int = 500
    checkpoint_every: int = 500
    val_bleu: bool = True
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TranslationData:
    """Pairs split and encoded: split (pairs.Split of token pairs), and the two vocabularies."""

    split: object
    src_vocab: WordVocabulary
    tgt_vocab: WordVocabulary
    settings: dict = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs, max_source: int = 10, n_test: int = 2000, n_val: int = 1000, min_count: int = 2):
        kept = filter_length(pairs, max_source=max_source)
        split = split_pairs(kept, n_test=n_test, n_val=n_val)
        src_vocab, tgt_vocab = build_vocabularies(split.train, min_count=min_count)
        settings = dict(max_source=max_source, n_test=n_test, n_val=n_val, min_count=min_count)
        return cls(split, src_vocab, tgt_vocab, settings)

    @classmethod
    def from_file(cls, path, **kwargs):
        return cls.from_pairs(read_pairs(path), **kwargs)


class PairBatches:
    """Batch source of token pairs: bucketed by source length, shuffled per (seed, epoch) for training."""

    def __init__(self, pairs, src_vocab: WordVocabulary, tgt_vocab: WordVocabulary, batch_size: int,
                 shuffle: bool = True, seed: int = 0):
        if not pairs:
            raise InvalidValueError("pairs: expected at least one sentence pair, got none")
        self.src = [src_vocab.encode(s) for s, _ in pairs]
        bos, eos = tgt_vocab.index[BOS], tgt_vocab.index[EOS]
        self.tgt = [[bos] + tgt_vocab.encode(t) + [eos] for _, t in pairs]
        self.pad = src_vocab.pad_id
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.lengths = np.array([len(s) for s in self.src])

    def epoch(self, e: int):
        rng = np.random.default_rng([self.seed, e])
        for rows in bucketed_batches(self.lengths, self.batch_size, rng=rng, shuffle=self.shuffle):
            src, src_lengths = pad_batch([self.src[i] for i in rows], self.pad)  # (B, S), (B,)
            tgt, tgt_lengths = pad_batch([self.tgt[i] for i in rows], self.pad)  # (B, T+1)
            yield src, src_lengths, tgt[:, :-1], tgt[:, 1:], tgt_lengths - 1


class Seq2SeqObjective(Objective):
    """Cross-entropy per target token; sampling_rate: scheduled sampling, drawn from rng (the Trainer's)."""

    unit = "tok"

    def __init__(self, sampling_rate: float = 0.0, rng=None, val_pairs=None, src_vocab=None, tgt_vocab=None,
                 max_len: int = 30):
        self.sampling_rate, self.rng = sampling_rate, rng
        self.val_pairs, self.src_vocab, self.tgt_vocab, self.max_len = val_pairs, src_vocab, tgt_vocab, max_len

    def loss(self, model, batch, carry):
        src, src_lengths, tgt_in, tgt_out, tgt_lengths = batch
        rate = self.sampling_rate if model.training else 0.0
        # logits only at the valid positions, (N, V): padding costs no output projection
        logits, cache = model.forward(src, src_lengths, tgt_in, sampling_rate=rate, rng=self.rng,
                                      tgt_lengths=tgt_lengths)
        targets = tgt_out.reshape(-1)[model.valid_positions(tgt_lengths, *tgt_out.shape)]  # (N,)
        loss, loss_cache = softmax_cross_entropy_forward(logits, targets, reduction="sum")
        return loss, len(targets), None, (cache, loss_cache)

    def backward(self, model, count, cache):
        cache, loss_cache = cache
        d_logits = softmax_cross_entropy_backward(1.0 / count, loss_cache).astype(model.dtype, copy=False)
        model.backward(d_logits, cache)

    def evaluate(self, model, batches):
        loss, _ = super().evaluate(model, batches)
        if self.val_pairs is None:
            return loss, {}
        from ..metrics_text import corpus_bleu
        hyps = translate_batch(model, self.src_vocab, self.tgt_vocab, [s for s, _ in self.val_pairs],
                               beam=1, max_len=self.max_len)
        return loss, {"bleu": corpus_bleu([" ".join(h) for h in hyps], [" ".join(t) for _, t in self.val_pairs])}


def make_trainer(data: TranslationData, recipe: TranslationRecipe = TranslationRecipe(), out=None,
                 budget: Budget = Budget(minutes=30), progress: bool | str = True, dtype=np.float32) -> Trainer:
    """The Trainer of a run (not started)."""
    rng = np.random.default_rng(recipe.seed)
    model = Seq2Seq(len(data.src_vocab), len(data.tgt_vocab), recipe.embedding_dim, recipe.hidden_size,
                    cell=recipe.cell, num_layers=recipe.num_layers, attention=recipe.attention, score=recipe.score,
                    dropout=recipe.dropout, pad_id=data.tgt_vocab.pad_id, bos_id=data.tgt_vocab.index[BOS],
                    eos_id=data.tgt_vocab.index[EOS], dtype=dtype, rng=rng)
    train = PairBatches(data.split.train, data.src_vocab, data.tgt_vocab, recipe.batch_size, seed=recipe.seed)
    val = PairBatches(data.split.val, data.src_vocab, data.tgt_vocab, 250, shuffle=False)
    if recipe.val_bleu:
        from .._extras import require
        require("sacrebleu", "bleu", "validation BLEU")
    objective = Seq2SeqObjective(recipe.sampling_rate, rng, data.split.val if recipe.val_bleu else None,
                                 data.src_vocab, data.tgt_vocab)
    meta = {"format": FORMAT, "unroll_version": __version__, "model": model.config(),
            "source_vocabulary": data.src_vocab.to_dict(), "target_vocabulary": data.tgt_vocab.to_dict(),
            "recipe": recipe.to_dict(), "data": data.settings}
    return Trainer(model, objective, Adam(model.params, lr=recipe.lr), train, val, rng=rng, budget=budget,
                   validation=Validation(eval_every=recipe.eval_every),
                   checkpoints=Checkpointing(out, recipe.checkpoint_every, meta),
                   clipping=Clipping(norm=recipe.clip_norm),
                   progress=progress)


def train_translation(data: TranslationData, recipe: TranslationRecipe = TranslationRecipe(), out=None,
                      budget: Budget = Budget(minutes=30), progress: bool | str = True) -> Trainer:
    return make_trainer(data, recipe, out, budget, progress).fit()


def translate_batch(model: Seq2Seq, src_vocab: WordVocabulary, tgt_vocab: WordVocabulary, sources, beam: int = 1,
                    alpha: float = 0.6, max_len: int = 30, batch_size: int = 100,
                    progress: bool = False) -> list[list[str]]:
    """Token lists -> translated token lists (greedy for beam 1, else beam search), in input order;
    progress: a tqdm bar over the sentences."""
    from tqdm import tqdm
    model.eval()
    encoded = [src_vocab.encode(s) or [src_vocab.unk_id] for s in sources]
    order = np.argsort([len(s) for s in encoded], kind="stable")
    out = [None] * len(encoded)
    bos, eos = tgt_vocab.index[BOS], tgt_vocab.index[EOS]
    bar = tqdm(total=len(order), disable=not progress, unit="sent", desc=f"beam {beam}", leave=False)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        src, lengths = pad_batch([encoded[i] for i in rows], src_vocab.pad_id)
        memory = model.start(src, lengths)
        if beam == 1:
            hyps = greedy(model, memory, bos, eos, max_len=max_len, alpha=alpha)
        else:
            hyps = [h[0] for h in beam_search(model, memory, bos, eos, beam=beam, max_len=max_len, alpha=alpha)]
        for i, h in zip(rows, hyps):
            out[i] = tgt_vocab.decode(h.tokens)
        bar.update(len(rows))
    bar.close()
    return out


def evaluate_translation(model, src_vocab, tgt_vocab, pairs, beam: int = 5, alpha: float = 0.6,
                         max_len: int = 30, progress: bool = False) -> dict:
    """{bleu, chrf, bleu_detok, chrf_detok, n, hypotheses}: sacrebleu on space-joined tokens (the protocol)
    and on detokenised text."""
    from ..data.pairs import detokenize
    from ..metrics_text import corpus_bleu, corpus_chrf
    hyps = translate_batch(model, src_vocab, tgt_vocab, [s for s, _ in pairs], beam=beam, alpha=alpha,
                           max_len=max_len, progress=progress)
    joined, refs = [" ".join(h) for h in hyps], [" ".join(t) for _, t in pairs]
    detok, detok_refs = [detokenize(h) for h in hyps], [detokenize(t) for _, t in pairs]
    return {"bleu": corpus_bleu(joined, refs), "chrf": corpus_chrf(joined, refs),
            "bleu_detok": corpus_bleu(detok, detok_refs), "chrf_detok": corpus_chrf(detok, detok_refs),
            "n": len(pairs), "hypotheses": hyps}


class ConditionedObjective(Objective):
    """Cross-entropy per output token of a `ConditionedGenerator`; a batch is (features (B, F),
    tokens_in (B, T) = <s> y, tokens_out (B, T) = y </s>, lengths (B,))."""

    unit = "tok"

    def loss(self, model, batch, carry):
        features, tokens_in, tokens_out, lengths = batch
        logits, cache = model.forward(features, tokens_in, lengths)
        mask = np.arange(tokens_out.shape[1])[None, :] < lengths[:, None]  # (B, T)
        loss, loss_cache = softmax_cross_entropy_forward(logits, tokens_out, mask, reduction="sum")
        return loss, int(mask.sum()), None, (cache, loss_cache)

    def backward(self, model, count, cache):
        cache, loss_cache = cache
        model.backward(softmax_cross_entropy_backward(1.0 / count, loss_cache).astype(model.dtype, copy=False), cache)


class CaptionBatches:
    """Batch source of (features, token id lists): shuffled per (seed, epoch) when shuffle."""

    def __init__(self, features, captions, vocab: WordVocabulary, batch_size: int = 32, shuffle: bool = True,
                 seed: int = 0):
        bos, eos = vocab.index[BOS], vocab.index[EOS]
        self.features = features
        self.ids = [[bos] + vocab.encode(c) + [eos] for c in captions]
        self.pad, self.batch_size, self.shuffle, self.seed = vocab.pad_id, batch_size, shuffle, seed

    def epoch(self, e: int):
        n = len(self.ids)
        order = np.random.default_rng([self.seed, e]).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            rows = order[start:start + self.batch_size]
            ids, lengths = pad_batch([self.ids[i] for i in rows], self.pad)
            yield self.features[rows], ids[:, :-1], ids[:, 1:], lengths - 1
