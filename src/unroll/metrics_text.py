"""Text metrics through sacrebleu (the optional 'bleu' extra, imported lazily): corpus BLEU and chrF.

    bleu, chrf = corpus_bleu(hypotheses, references), corpus_chrf(hypotheses, references)

hypotheses: N strings; references: N strings (one reference each). Strings are scored as given
with sacrebleu's defaults (BLEU: 13a tokenisation, exponential smoothing; chrF: character 6-grams,
beta 2). unroll never computes BLEU by hand. The translation protocol (docs/translation.md) scores
space-joined tokens of both sides; `detokenized` output (unroll.data.pairs.detokenize) is also
reported by the benchmark.
"""
from __future__ import annotations

from ._extras import require
from .errors import InvalidValueError

__all__ = ["corpus_bleu", "corpus_chrf"]


def _check(hypotheses, references) -> tuple[list, list]:
    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references) or not hypotheses:
        raise InvalidValueError(f"references: expected one per hypothesis (and at least one), got "
                                f"{len(references)} for {len(hypotheses)}")
    for name, texts in (("hypotheses", hypotheses), ("references", references)):
        wrong = next((t for t in texts if not isinstance(t, str)), None)
        if wrong is not None:
            raise InvalidValueError(f"{name}: expected strings, got {type(wrong).__name__}")
    return hypotheses, references


def corpus_bleu(hypotheses, references) -> float:
    """sacrebleu's corpus BLEU (0-100) of N hypotheses against N references."""
    require("sacrebleu", "bleu", "BLEU")
    import sacrebleu
    hypotheses, references = _check(hypotheses, references)
    return float(sacrebleu.corpus_bleu(hypotheses, [references], force=True).score)  # force: tokenised input is the protocol


def corpus_chrf(hypotheses, references) -> float:
    """sacrebleu's corpus chrF (0-100) of N hypotheses against N references."""
    require("sacrebleu", "bleu", "chrF")
    import sacrebleu
    hypotheses, references = _check(hypotheses, references)
    return float(sacrebleu.corpus_chrf(hypotheses, [references]).score)
