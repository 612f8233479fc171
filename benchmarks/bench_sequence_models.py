"""Training speed of the sentence classifier and the tagger against the same models in PyTorch, in
sentences per second, one process, interleaved.

    python benchmarks/bench_sequence_models.py            # real batches from ../shared/data when present
    python benchmarks/bench_sequence_models.py --quick

Both float32 with the same thread count (torch.set_num_threads = --threads; unroll's BLAS uses what
OPENBLAS_NUM_THREADS / the machine gives it, set it to the same). One training step = forward,
loss, backward and an Adam update, on the same padded batches: the classifier a BiLSTM-max (E 128,
H 128, batch 32 sentences of rt-polarity), the tagger word (100) + char-BiLSTM (30 -> 2x50) ->
BiLSTM 128 (batch 16 sentences of UD English LinES). Rounds alternate the two; the printed ratio is
torch_time / unroll_time per round, median over rounds (above 1: unroll is faster).
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def classifier_batches(n_batches, B=32):
    from unroll.data.readers import read_polarity
    from unroll.data.words import WordVocabulary, tokenize
    texts, labels = read_polarity(DATA / "rt-polarity.pos", DATA / "rt-polarity.neg")
    tokens = [tokenize(t) for t in texts]
    vocab = WordVocabulary.build(tokens)
    from unroll.models.classifier import SequenceClassifier
    model = SequenceClassifier(vocab, ["neg", "pos"], embedding_dim=128, hidden_size=128, rng=0)
    rng = np.random.default_rng(0)
    rows = [rng.choice(len(texts), B, replace=False) for _ in range(n_batches)]
    batches = [model.collate([vocab.encode(tokens[i]) for i in r]) + (np.array([labels[i] == "pos" for i in r], np.int64),)
               for r in rows]
    return model, batches


def tagger_batches(n_batches, B=16):
    from unroll.data.readers import read_conllu
    from unroll.data.words import WordVocabulary
    from unroll.models.tagger import SequenceTagger
    train = read_conllu(DATA / "ud_english_lines" / "en_lines-ud-train.conllu")
    vocab = WordVocabulary.build([[w.lower() for w in s] for s, _ in train])
    tags = sorted({t for _, ts in train for t in ts})
    chars = sorted({c for s, _ in train for w in s for c in w})
    model = SequenceTagger(vocab, tags, chars, word_dim=100, char_dim=30, char_hidden=50, hidden_size=128, rng=0)
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(n_batches):
        r = rng.choice(len(train), B, replace=False)
        x, lengths = model.collate(model.encode([train[i][0] for i in r]))
        y = np.zeros(x[0].shape, np.int64)
        for b, t in enumerate(model.encode_tags([train[i][1] for i in r])):
            y[b, :len(t)] = t
        batches.append((x, lengths, y))
    return model, batches


def unroll_step(model, objective, optimizer):
    def step(batch):
        loss, count, _, cache = objective.loss(model, batch, None)
        objective.backward(model, count, cache)
        optimizer.step(model.grads)
        model.zero_grad()
    return step


def torch_classifier(model):
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    nn = torch.nn

    class Ref(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(model.vocab), 128, padding_idx=0)
            self.rnn = nn.LSTM(128, 128, batch_first=True, bidirectional=True)
            self.head = nn.Linear(256, 2)

        def forward(self, ids, lengths):
            packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
            out = pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=ids.shape[1])[0]
            mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None])[:, :, None]
            return self.head(out.masked_fill(~mask, -torch.inf).max(dim=1).values)

    ref = Ref()
    optimizer = torch.optim.Adam(ref.parameters(), lr=1e-3)

    def step(batch):
        ids, lengths, y = (torch.from_numpy(a) for a in batch)
        loss = nn.functional.cross_entropy(ref(ids, lengths), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def torch_tagger(model):
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    nn = torch.nn

    class Ref(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(len(model.vocab), 100, padding_idx=0)
            self.char = nn.Embedding(len(model.char_vocab), 30, padding_idx=0)
            self.char_rnn = nn.LSTM(30, 50, batch_first=True, bidirectional=True)
            self.rnn = nn.LSTM(200, 128, batch_first=True, bidirectional=True)
            self.head = nn.Linear(256, len(model.tags))

        def forward(self, words, chars, char_lengths, lengths):
            valid = char_lengths.reshape(-1) > 0
            flat = chars.reshape(-1, chars.shape[2])[valid]
            packed = pack_padded_sequence(self.char(flat), char_lengths.reshape(-1)[valid], batch_first=True,
                                          enforce_sorted=False)
            h = self.char_rnn(packed)[1][0]
            summary = torch.zeros(words.numel(), 100)
            summary[valid] = torch.cat([h[0], h[1]], dim=1)
            rep = torch.cat([self.word(words), summary.reshape(*words.shape, 100)], dim=-1)
            packed = pack_padded_sequence(rep, lengths, batch_first=True, enforce_sorted=False)
            return self.head(pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=words.shape[1])[0])

    ref = Ref()
    optimizer = torch.optim.Adam(ref.parameters(), lr=1e-3)

    def step(batch):
        (words, chars, char_lengths), lengths, y = batch
        words, chars, char_lengths, lengths, y = (torch.from_numpy(a) for a in (words, chars, char_lengths, lengths, y))
        logits = ref(words, chars, char_lengths, lengths)
        mask = torch.arange(words.shape[1])[None, :] < lengths[:, None]
        loss = nn.functional.cross_entropy(logits[mask], y[mask])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def compare(name, unroll_fn, torch_fn, batches, rounds, sentences_per_batch):
    ratios, times = [], {"unroll": [], "torch": []}
    for fn in (unroll_fn, torch_fn):  # warm-up
        fn(batches[0])
    for _ in range(rounds):
        round_times = {}
        for who, fn in (("unroll", unroll_fn), ("torch", torch_fn)):
            time.sleep(0.2)
            start = time.perf_counter()
            for b in batches:
                fn(b)
            round_times[who] = time.perf_counter() - start
            times[who].append(round_times[who])
        ratios.append(round_times["torch"] / round_times["unroll"])
    n = len(batches) * sentences_per_batch
    print(f"| {name} | {n / statistics.median(times['unroll']):.0f} | {n / statistics.median(times['torch']):.0f} | "
          f"{statistics.median(ratios):.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    from unroll.optim import Adam
    from unroll.training.supervised import ClassificationObjective, TaggingObjective
    n = 5 if args.quick else 15
    print("| model | unroll sentences/s | torch sentences/s | torch_time / unroll_time |\n|---|---:|---:|---:|")
    model, batches = classifier_batches(n)
    compare("classifier BiLSTM-max", unroll_step(model, ClassificationObjective(), Adam(model.params, lr=1e-3)),
            torch_classifier(model), batches, args.rounds, 32)
    model, batches = tagger_batches(n)
    compare("tagger word+char BiLSTM", unroll_step(model, TaggingObjective(), Adam(model.params, lr=1e-3)),
            torch_tagger(model), batches, args.rounds, 16)


if __name__ == "__main__":
    main()
