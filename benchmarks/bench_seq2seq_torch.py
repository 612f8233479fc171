"""The Bahdanau translation model in unroll and in PyTorch side by side: training tokens per second
(forward + backward + Adam, same sizes, same batches, same threads, float32), interleaved in one
process, and the ratio torch_time / unroll_time (>= 1.0: unroll is as fast or faster). unroll's
objective projects only the valid (unpadded) target positions onto the vocabulary; the PyTorch peer
runs twice, as usually written (logits at every position, then the valid ones picked for the loss)
and packed the same way as unroll ("torch_packed").

    python benchmarks/bench_seq2seq_torch.py [--threads 2] [--steps 10] [--hidden 256] [--torch-minutes 0]

The PyTorch model: nn.Embedding, a bidirectional nn.GRU over packed sources, s_0 = tanh(W_b [h_fwd; h_bwd]),
an nn.GRUCell decoder stepped per token with additive attention (e = v^T tanh(W_q s + U_k h_j + b),
masked softmax, context fed into the cell), logits = W_o [s_t; c_t] -- the equations of
unroll.models.seq2seq with attention='bahdanau'. With --torch-minutes M it also trains the PyTorch
model for M minutes and prints its greedy and beam-free BLEU on the protocol's test set (greedy).
"""
from __future__ import annotations

import argparse
import json
import os
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10, help="timed steps per framework (interleaved)")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--torch-minutes", type=float, default=0.0)
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "spa.txt"))
    args = p.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    from unroll.training.seq2seq import PairBatches, TranslationData, TranslationRecipe, make_trainer
    from unroll.training.loop import Budget

    data = TranslationData.from_file(args.data)
    H = args.hidden
    trainer = make_trainer(data, TranslationRecipe(hidden_size=H, embedding_dim=H, batch_size=args.batch_size,
                                                   val_bleu=False), budget=Budget(max_steps=10 ** 9), progress=False)
    ours, objective = trainer.model, trainer.objective
    torch.manual_seed(0)
    theirs = _torch_module()(len(data.src_vocab), len(data.tgt_vocab), H, H)
    t_opt = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    batches = PairBatches(data.split.train, data.src_vocab, data.tgt_vocab, args.batch_size, seed=0).epoch(0)

    def unroll_step(batch):
        loss, count, _, cache = objective.loss(ours, batch, None)
        objective.backward(ours, count, cache)
        trainer.clipping(ours.grads)
        trainer.optimizer.step(ours.grads)
        ours.zero_grad()

    def torch_step(batch, packed=False):
        t_opt.zero_grad()
        loss = theirs.loss(*batch, packed=packed)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(theirs.parameters(), 5.0)
        t_opt.step()

    for _ in range(2):  # warm-up (Numba compilation, allocator)
        b = next(batches)
        unroll_step(b)
        torch_step(b)
    times, tokens = {"unroll": 0.0, "torch": 0.0, "torch_packed": 0.0}, 0
    competitors = (("unroll", unroll_step), ("torch", torch_step),
                   ("torch_packed", lambda b: torch_step(b, packed=True)))
    for _ in range(args.steps):
        b = next(batches)
        tokens += int(b[4].sum())
        for name, step in competitors:
            t = time.perf_counter()
            step(b)
            times[name] += time.perf_counter() - t
    result = {"threads": args.threads, "hidden": H, "batch_size": args.batch_size, "steps": args.steps,
              "unroll_tok_per_s": round(tokens / times["unroll"], 1),
              "torch_tok_per_s": round(tokens / times["torch"], 1),
              "torch_time / unroll_time": round(times["torch"] / times["unroll"], 3),
              "torch_packed_tok_per_s": round(tokens / times["torch_packed"], 1),
              "torch_packed_time / unroll_time": round(times["torch_packed"] / times["unroll"], 3),
              "load_average": os.getloadavg()[0]}
    if args.torch_minutes:
        result.update(train_torch(theirs, t_opt, data, args, torch_step))
    print(json.dumps(result))


def train_torch(model, opt, data, args, torch_step):
    """Train the PyTorch model for --torch-minutes on the training batches; greedy BLEU on the test split."""
    import torch
    from unroll.metrics_text import corpus_bleu
    from unroll.training.seq2seq import PairBatches
    start, steps, epoch = time.perf_counter(), 0, 0
    while time.perf_counter() - start < 60 * args.torch_minutes:
        for b in PairBatches(data.split.train, data.src_vocab, data.tgt_vocab, args.batch_size, seed=0).epoch(epoch):
            torch_step(b)
            steps += 1
            if time.perf_counter() - start >= 60 * args.torch_minutes:
                break
        epoch += 1
    hyps, refs = [], []
    test = PairBatches(data.split.test, data.src_vocab, data.tgt_vocab, 200, shuffle=False)
    with torch.no_grad():
        for src, src_len, _, tgt_out, tgt_len in test.epoch(0):
            out = model.greedy(src, src_len, bos=2, eos=3, max_len=30)
            for row, n, ref in zip(out, tgt_len, tgt_out):
                words = []
                for i in row:
                    if i == 3:
                        break
                    words.append(data.tgt_vocab.words[i])
                hyps.append(" ".join(words))
                refs.append(" ".join(data.tgt_vocab.words[i] for i in ref[:n - 1]))
    return {"torch_train_steps": steps, "torch_minutes": args.torch_minutes, "torch_greedy_bleu": corpus_bleu(hyps, refs)}


def _torch_module():
    import torch
    from torch import nn

    class TorchSeq2Seq(nn.Module):
        def __init__(self, vs, vt, E, H):
            super().__init__()
            self.src_emb, self.tgt_emb = nn.Embedding(vs, E, padding_idx=0), nn.Embedding(vt, E, padding_idx=0)
            self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
            self.bridge = nn.Linear(2 * H, H)
            self.cell = nn.GRUCell(E + 2 * H, H)
            self.w_query = nn.Linear(H, H, bias=False)
            self.w_keys = nn.Linear(2 * H, H)
            self.v = nn.Linear(H, 1, bias=False)
            self.out = nn.Linear(3 * H, vt)

        def encode(self, src, src_len):
            src, src_len = torch.as_tensor(src), torch.as_tensor(src_len)
            packed = nn.utils.rnn.pack_padded_sequence(self.src_emb(src), src_len, batch_first=True,
                                                       enforce_sorted=False)
            keys, h_n = self.encoder(packed)
            keys, _ = nn.utils.rnn.pad_packed_sequence(keys, batch_first=True, total_length=src.shape[1])
            mask = torch.arange(src.shape[1])[None, :] < src_len[:, None]
            return keys, self.w_keys(keys), mask, torch.tanh(self.bridge(torch.cat([h_n[-2], h_n[-1]], dim=1)))

        def step(self, y_prev, s, keys, keys_proj, mask):
            e = self.v(torch.tanh(keys_proj + self.w_query(s)[:, None, :]))[..., 0].masked_fill(~mask, float("-inf"))
            context = torch.einsum("bs,bsk->bk", torch.softmax(e, dim=1), keys)
            s = self.cell(torch.cat([self.tgt_emb(y_prev), context], dim=1), s)
            return s, torch.cat([s, context], dim=1)

        def loss(self, src, src_len, tgt_in, tgt_out, tgt_len, packed=False):
            keys, keys_proj, mask, s = self.encode(src, src_len)
            tgt_in, tgt_out = torch.as_tensor(tgt_in), torch.as_tensor(tgt_out)
            outs = []
            for t in range(tgt_in.shape[1]):
                s, o = self.step(tgt_in[:, t], s, keys, keys_proj, mask)
                outs.append(o)
            valid = torch.arange(tgt_out.shape[1])[None, :] < torch.as_tensor(tgt_len)[:, None]
            if packed:  # the output layer at the valid positions only, as unroll's objective does
                return nn.functional.cross_entropy(self.out(torch.stack(outs, dim=1)[valid]), tgt_out[valid])
            logits = self.out(torch.stack(outs, dim=1))  # (B, T, V): the usual PyTorch idiom
            return nn.functional.cross_entropy(logits[valid], tgt_out[valid], reduction="mean")

        def greedy(self, src, src_len, bos, eos, max_len):
            keys, keys_proj, mask, s = self.encode(src, src_len)
            y = torch.full((keys.shape[0],), bos, dtype=torch.long)
            out = []
            for _ in range(max_len):
                s, o = self.step(y, s, keys, keys_proj, mask)
                y = self.out(o).argmax(dim=1)
                out.append(y)
            return torch.stack(out, dim=1).tolist()

    return TorchSeq2Seq


if __name__ == "__main__":
    main()
