"""bAbI-style stories for tasks 1 and 2 (Weston et al. 2015), generated: the real bAbI files
cannot be downloaded here, so these follow the published templates with our own simulator.
Numbers on them are ours, not comparable one to one with the published bAbI figures.

    task 1, single supporting fact:   mary moved to the bathroom . john went to the hallway .
                                      where is mary ?  -> bathroom
    task 2, two supporting facts:     john picked up the football . john went to the kitchen .
                                      where is the football ?  -> kitchen

A story is a run of statements with a question after every `every` statements (bAbI's layout);
each question is one example, whose context is the story's statements so far (questions are not
stored in the memory, as in MemN2N). `babi_task(task, split, size, seed)` is deterministic: split
'train', 'valid' or 'test' draws from a generator seeded with (seed, task, split), so the splits
never share a generator stream. Words are lower case; the vocabulary is fixed (`VOCAB`, id 0 is
padding), so every split of every seed encodes alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidValueError

__all__ = ["ACTORS", "LOCATIONS", "OBJECTS", "VOCAB", "WORD_ID", "BabiSet", "babi_task", "story_task1",
           "story_task2", "encode"]

ACTORS = ["mary", "john", "sandra", "daniel"]
LOCATIONS = ["bathroom", "hallway", "kitchen", "office", "garden", "bedroom"]
OBJECTS = ["football", "apple", "milk"]
MOVES = [["moved", "to"], ["went", "to"], ["journeyed", "to"], ["travelled", "to"], ["went", "back", "to"]]
GETS = [["picked", "up"], ["got"], ["grabbed"], ["took"]]
DROPS = [["dropped"], ["discarded"], ["put", "down"], ["left"]]
VOCAB = ["<pad>"] + sorted(set(ACTORS + LOCATIONS + OBJECTS + ["the", "where", "is"]
                               + [w for phrase in MOVES + GETS + DROPS for w in phrase]))
WORD_ID = {w: i for i, w in enumerate(VOCAB)}
SPLITS = {"train": 0, "valid": 1, "test": 2}


def story_task1(rng, statements: int = 10, every: int = 2):
    """-> list of (context [sentences], question, answer); sentences are lists of words."""
    facts, where, examples = [], {}, []
    for n in range(1, statements + 1):
        actor = ACTORS[rng.integers(len(ACTORS))]
        place = LOCATIONS[rng.integers(len(LOCATIONS))]
        facts.append([actor] + MOVES[rng.integers(len(MOVES))] + ["the", place])
        where[actor] = place
        if n % every == 0:
            asked = sorted(where)[rng.integers(len(where))]
            examples.append((list(facts), ["where", "is", asked], where[asked]))
    return examples


def story_task2(rng, statements: int = 12, every: int = 3):
    """Actors move and pick up / drop objects; 'where is the X' asks for the object's location, the
    location of whoever holds it or of where it was dropped (two facts: the get and the last move)."""
    facts, where, holder, dropped_at, examples = [], {}, {}, {}, []
    n = 0
    while n < statements:
        actor = ACTORS[rng.integers(len(ACTORS))]
        held = [o for o, a in holder.items() if a == actor]
        free = [o for o in OBJECTS if o not in holder and dropped_at.get(o, where.get(actor)) == where.get(actor)]
        choice = rng.random()
        if actor in where and held and choice < 0.25:
            obj = held[rng.integers(len(held))]
            facts.append([actor] + DROPS[rng.integers(len(DROPS))] + ["the", obj])
            del holder[obj]
            dropped_at[obj] = where[actor]
        elif actor in where and free and choice < 0.55:
            obj = free[rng.integers(len(free))]
            facts.append([actor] + GETS[rng.integers(len(GETS))] + ["the", obj])
            holder[obj] = actor
            dropped_at.pop(obj, None)
        else:
            place = LOCATIONS[rng.integers(len(LOCATIONS))]
            facts.append([actor] + MOVES[rng.integers(len(MOVES))] + ["the", place])
            where[actor] = place
        n += 1
        known = sorted(set(dropped_at) | set(holder))
        if n % every == 0 and known:
            obj = known[rng.integers(len(known))]
            answer = where[holder[obj]] if obj in holder else dropped_at[obj]
            examples.append((list(facts), ["where", "is", "the", obj], answer))
    return examples


@dataclass
class BabiSet:
    """Encoded examples: stories (N, S, L) ids, queries (N, Lq), answers (N,) word ids, and the text."""
    stories: np.ndarray
    queries: np.ndarray
    answers: np.ndarray
    text: list

    def __len__(self):
        return len(self.answers)

    def batches(self, batch: int, rng=None):
        """Batches (stories, queries, answers); shuffled when rng is given."""
        order = np.arange(len(self)) if rng is None else rng.permutation(len(self))
        for start in range(0, len(self), batch):
            idx = order[start:start + batch]
            yield self.stories[idx], self.queries[idx], self.answers[idx]


def encode(examples, max_sentences: int, sentence_len: int = 6, query_len: int = 4) -> BabiSet:
    """Pad into arrays; a context longer than max_sentences keeps its most recent sentences."""
    N = len(examples)
    stories = np.zeros((N, max_sentences, sentence_len), np.int64)
    queries = np.zeros((N, query_len), np.int64)
    answers = np.zeros(N, np.int64)
    for n, (context, question, answer) in enumerate(examples):
        for i, sentence in enumerate(context[-max_sentences:]):
            stories[n, i, :len(sentence)] = [WORD_ID[w] for w in sentence]
        queries[n, :len(question)] = [WORD_ID[w] for w in question]
        answers[n] = WORD_ID[answer]
    return BabiSet(stories, queries, answers, examples)


def babi_task(task: int, split: str = "train", size: int = 1000, seed: int = 0, max_sentences: int = 20) -> BabiSet:
    """`size` questions of bAbI-style task 1 or 2 for split 'train', 'valid' or 'test'."""
    if task not in (1, 2):
        raise InvalidValueError(f"task: expected 1 or 2, got {task!r}")
    if split not in SPLITS:
        raise InvalidValueError(f"split: expected one of {sorted(SPLITS)}, got {split!r}")
    rng = np.random.default_rng([seed, task, SPLITS[split]])
    make = story_task1 if task == 1 else story_task2
    examples = []
    while len(examples) < size:
        examples.extend(make(rng))
    return encode(examples[:size], max_sentences)
