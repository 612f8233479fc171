"""Decoding any step-wise generator: greedy search and batched beam search with length normalisation.

A decoder is anything with `step(memory, tokens) -> (log_probs (N, V), memory, extra)` where memory
is a dict of arrays with one row per hypothesis on axis 0 (Seq2Seq.start, ConditionedGenerator.start
make one), so selecting beams is `{k: v[rows]}`.

    tokens, scores = greedy(model, model.start(src, lengths), bos_id, eos_id, max_len=30)
    hyps = beam_search(model, model.start(src, lengths), bos_id, eos_id, beam=5, alpha=0.6, n_best=1)

The objective, for greedy and beam alike (Wu et al. 2016, GNMT):

    score(Y) = log P(Y | X) / lp(Y),    lp(Y) = ((5 + |Y|) / 6) ** alpha

where |Y| counts the output tokens including the end symbol (a hypothesis cut at max_len has no end
symbol and is scored as it stands). alpha = 0 is the plain log-probability.

Beam search, per sentence: k live hypotheses (at step 0 only the start); each step extends every
live hypothesis by every token, takes the 2k best extensions by log P, moves those among the best k that
end with </s> to the finished list (scored by the objective) and keeps the best k others alive. A sentence
is done when no live hypothesis can still beat its best finished one (log P only falls as a hypothesis
grows and lp is at most lp(max_len), so s / lp(max_len) bounds every completion of a live hypothesis
with log P s, for alpha >= 0), or at max_len, when its live ones are finished as they are; the n_best
best finished ones by score are returned. Beam search is a heuristic: it usually, not provably,
scores at least as well as greedy search (the tests check it does on fixed models). All sentences'
beams are one batch of N * k rows through the model.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidValueError

__all__ = ["greedy", "beam_search", "length_penalty", "Hypothesis", "sequence_score"]


def length_penalty(length, alpha: float) -> np.ndarray | float:
    """lp = ((5 + length) / 6) ** alpha (length: number of output tokens, </s> included)."""
    return ((5.0 + np.asarray(length, dtype=np.float64)) / 6.0) ** alpha


class Hypothesis:
    """One decoded output: tokens (without <s> and </s>), log_prob (sum, </s> included when it ended),
    score (log_prob / lp), finished (ended with </s>)."""

    __slots__ = ("tokens", "log_prob", "score", "finished")

    def __init__(self, tokens, log_prob, score, finished):
        self.tokens, self.log_prob, self.score, self.finished = list(tokens), float(log_prob), float(score), finished

    def __repr__(self):
        return f"Hypothesis({self.tokens}, log_prob={self.log_prob:.4f}, score={self.score:.4f})"


def _check(beam: int, max_len: int) -> None:
    if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) or beam < 1:
        raise InvalidValueError(f"beam: expected an int >= 1, got {beam!r}")
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise InvalidValueError(f"max_len: expected an int >= 1, got {max_len!r}")


def _rows(memory: dict) -> int:
    return len(next(iter(memory.values())))


def greedy(model, memory: dict, bos_id: int, eos_id: int, max_len: int = 50, alpha: float = 0.0,
           return_attention: bool = False):
    """The most likely token at every step, for all N rows at once.

    Returns a list of N Hypothesis; with return_attention also a list of N arrays (len(tokens)
    (+1 with </s>), S) of attention weights (None for a model without attention).
    """
    _check(1, max_len)
    N = _rows(memory)
    tokens = np.full(N, bos_id, dtype=np.int64)
    out = np.zeros((N, max_len), dtype=np.int64)
    log_prob = np.zeros(N)
    length = np.zeros(N, dtype=np.int64)
    done = np.zeros(N, dtype=bool)
    attention = []
    for t in range(max_len):
        log_p, memory, alpha_t = model.step(memory, tokens)
        tokens = log_p.argmax(axis=1)
        live = ~done
        log_prob[live] += log_p[live, tokens[live]]
        length[live] += 1
        out[:, t] = tokens
        attention.append(alpha_t)
        done |= tokens == eos_id
        if done.all():
            break
    hyps = []
    for n in range(N):
        finished = bool(done[n])
        seq = out[n, :length[n] - finished]  # drop </s>
        hyps.append(Hypothesis(seq, log_prob[n], log_prob[n] / length_penalty(length[n], alpha), finished))
    if not return_attention:
        return hyps
    if attention[0] is None:
        return hyps, [None] * N
    stacked = np.stack(attention, axis=1)  # (N, steps, S)
    return hyps, [stacked[n, :length[n]] for n in range(N)]


def beam_search(model, memory: dict, bos_id: int, eos_id: int, beam: int = 5, max_len: int = 50,
                alpha: float = 0.6, n_best: int = 1) -> list[list[Hypothesis]]:
    """Batched beam search (see the module docstring). Returns for each of the N rows of memory a list
    of its n_best Hypothesis, best first."""
    _check(beam, max_len)
    if not 1 <= n_best <= beam:
        raise InvalidValueError(f"n_best: expected 1 <= n_best <= beam = {beam}, got {n_best}")
    N, k = _rows(memory), beam
    rows = np.repeat(np.arange(N), k)  # (N*k,): row n*k + j is beam j of sentence n
    memory = {name: value[rows] for name, value in memory.items()}
    scores = np.full((N, k), -np.inf)
    scores[:, 0] = 0.0  # only the start hypothesis is alive at step 0
    history = np.zeros((N, k, 0), dtype=np.int64)
    tokens = np.full(N * k, bos_id, dtype=np.int64)
    finished = [[] for _ in range(N)]
    done = np.zeros(N, dtype=bool)
    bound = float(length_penalty(max_len, max(alpha, 0.0)))
    for t in range(max_len):
        log_p, memory, _ = model.step(memory, tokens)
        V = log_p.shape[1]
        cand = (scores[:, :, None] + log_p.reshape(N, k, V)).reshape(N, k * V)  # (N, k*V)
        m = min(2 * k, k * V)
        top = np.argpartition(-cand, m - 1, axis=1)[:, :m]  # (N, 2k), unordered
        order = np.argsort(-np.take_along_axis(cand, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)  # (N, 2k) best first
        new_scores = np.full((N, k), -np.inf)
        parents = np.zeros((N, k), dtype=np.int64)
        new_tokens = np.full((N, k), eos_id, dtype=np.int64)
        for n in range(N):
            if done[n]:
                continue
            alive = 0
            for rank, flat in enumerate(top[n]):
                value = cand[n, flat]
                if not np.isfinite(value):
                    break
                parent, token = divmod(int(flat), V)
                if token == eos_id:
                    if rank < k:  # an end among the k best (so beam 1 is greedy)
                            finished[n].append(Hypothesis(history[n, parent], value,
                                                      value / length_penalty(t + 1, alpha), True))
                    continue
                if alive < k:
                    new_scores[n, alive], parents[n, alive], new_tokens[n, alive] = value, parent, token
                    alive += 1
            best = max((h.score for h in finished[n]), default=-np.inf)
            # no live hypothesis can still beat the best finished one: log P only falls as it grows,
            # and lp grows at most to lp(max_len), so s / lp(max_len) bounds any completion of s (alpha >= 0)
            if alive == 0 or best >= new_scores[n, 0] / bound:
                done[n] = True
        if done.all():
            break
        history = np.concatenate([np.take_along_axis(history, parents[:, :, None], axis=1), new_tokens[:, :, None]],
                                 axis=2)  # (N, k, t+1)
        scores = new_scores
        select = (np.arange(N)[:, None] * k + parents).reshape(-1)  # (N*k,)
        memory = {name: value[select] for name, value in memory.items()}
        tokens = new_tokens.reshape(-1)
    else:  # max_len reached: the live hypotheses are finished as they stand
        for n in np.flatnonzero(~done):
            for j in range(k):
                if np.isfinite(scores[n, j]):
                    finished[n].append(Hypothesis(history[n, j], scores[n, j],
                                                  scores[n, j] / length_penalty(max_len, alpha), False))
    return [sorted(f, key=lambda h: -h.score)[:n_best] for f in finished]


def sequence_score(model, memory: dict, tokens: list, bos_id: int, eos_id: int, alpha: float = 0.0,
                   finished: bool = True) -> float:
    """The decoders' objective for a given output of row 0 of memory: log P(tokens (+ </s>)) / lp."""
    memory = {name: value[:1] for name, value in memory.items()}
    sequence = list(tokens) + ([eos_id] if finished else [])
    previous, total = bos_id, 0.0
    for token in sequence:
        log_p, memory, _ = model.step(memory, np.array([previous]))
        total += float(log_p[0, token])
        previous = token
    return total / float(length_penalty(len(sequence), alpha))
