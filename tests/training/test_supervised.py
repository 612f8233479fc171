"""Supervised objectives and batch sources; the Trainer watching a validation metric (accuracy, max)."""
import numpy as np
import pytest

from unroll.data.words import WordVocabulary
from unroll.errors import InvalidValueError
from unroll.models.classifier import SequenceClassifier
from unroll.optim import Adam
from unroll.training.loop import Budget, Trainer, Validation
from unroll.training.supervised import ClassificationObjective, SupervisedBatches, cv_folds, split_validation

WORDS = "good bad fine awful great dull".split()
TEXTS = ["good fine", "great good", "fine great good", "bad awful", "dull bad", "awful dull bad"] * 4
LABELS = [1, 1, 1, 0, 0, 0] * 4


def model_and_batches(word_dropout=0.0):
    model = SequenceClassifier(WordVocabulary(WORDS), ["neg", "pos"], embedding_dim=4, hidden_size=4, rng=0)
    train = SupervisedBatches(model.encode(TEXTS), LABELS, model.collate, 4, seed=3, word_dropout=word_dropout)
    val = SupervisedBatches(model.encode(TEXTS), LABELS, model.collate, 8, shuffle=False)
    return model, train, val


def test_batches_are_a_function_of_the_epoch_and_cover_everything():
    _, train, val = model_and_batches(word_dropout=0.3)
    first, again = list(train.epoch(2)), list(train.epoch(2))
    for a, b in zip(first, again):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert sum(len(b[2]) for b in first) == len(TEXTS)
    dropped = sum(int((b[0] == 1).sum()) for b in first)  # <unk> = 1
    assert dropped > 0 and all((b[0] != 1).all() for b in val.epoch(0))  # word dropout in training only


def test_trainer_keeps_the_best_accuracy_and_names_a_missing_metric(tmp_path):
    model, train, val = model_and_batches()
    trainer = Trainer(model, ClassificationObjective(), Adam(model.params, lr=0.05), train, val, rng=model.rng,
                      budget=Budget(epochs=6), validation=Validation(metric="accuracy", mode="max"), progress=False)
    trainer.fit()
    accuracy = trainer.history_["val_accuracy"]
    assert trainer.best_val_ == max(accuracy) and accuracy[-1] > 0.9
    bad = Trainer(model, ClassificationObjective(), Adam(model.params, lr=0.05), train, val, rng=model.rng,
                  budget=Budget(epochs=1), validation=Validation(metric="f1", mode="max"), progress=False)
    with pytest.raises(InvalidValueError, match="validation metric: expected one the objective reports"):
        bad.fit()
    with pytest.raises(InvalidValueError, match="mode"):
        Validation(mode="up")


def test_folds_partition_and_validation_split():
    folds = cv_folds(23, 5, seed=1)
    tests = np.concatenate([t for _, t in folds])
    assert sorted(tests) == list(range(23)) and all(len(set(tr) & set(t)) == 0 for tr, t in folds)
    train, val = split_validation(20, 0.1)
    assert len(val) == 2 and sorted(np.r_[train, val]) == list(range(20))
    with pytest.raises(InvalidValueError, match="folds"):
        cv_folds(3, 5)


def test_refit_trains_again_on_train_and_validation_to_the_chosen_epoch(tmp_path):
    from unroll.checkpoint import load_checkpoint
    from unroll.training.supervised import ClassifierRecipe, fit_classifier
    texts = TEXTS + ["splendid good", "rotten bad"] * 3
    labels = [str(y) for y in LABELS] + ["1", "0"] * 3
    recipe = ClassifierRecipe(embedding_dim=4, hidden_size=4, epochs=5, lr=0.05, batch_size=4, patience=None,
                              val_fraction=0.25, refit=True)
    model, trainer = fit_classifier(texts, labels, recipe, out=tmp_path / "run")
    selection = load_checkpoint(tmp_path / "run" / "selection" / "best")[1]["progress"]
    final = load_checkpoint(tmp_path / "run" / "checkpoint")[1]["progress"]
    chosen = selection["step"] // 6  # 23 training texts in batches of 4: 6 steps an epoch
    assert trainer.best_step_ == selection["step"] and final["epoch"] == chosen
    assert final["step"] == chosen * 8  # 30 texts (training and validation) in batches of 4: 8 steps an epoch
    again, _ = fit_classifier(texts, labels, recipe, out=tmp_path / "run", resume=True)  # a finished run resumes as is
    for name, value in model.params.items():
        np.testing.assert_array_equal(again.params[name], value)
