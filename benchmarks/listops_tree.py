"""ListOps (generated, depths 1-6): Child-Sum Tree-LSTM against a sequential BiLSTM, accuracy by depth.

    OPENBLAS_NUM_THREADS=1 python benchmarks/listops_tree.py --train-size 6000 --epochs 8

Both models: embedding 32, hidden 64 (the BiLSTM 64 per direction, max-pooled), Adam 2e-3, norm
clipping 5, the same training expressions, batches and epochs. Prints parameters, time per training
expression (wall clock) and the test accuracy by depth; the headline line compares the two.
"""
import argparse
import time

import numpy as np

from unroll.data.listops import listops
from unroll.models.tree import accuracy_by_depth, train_listops


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train-size", type=int, default=6000)
    p.add_argument("--test-size", type=int, default=1200)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--models", default="tree-lstm,bilstm")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    depths = tuple(range(1, 7))
    train = listops(args.train_size, depths, np.random.default_rng([args.seed, 0]))
    test = listops(args.test_size, depths, np.random.default_rng([args.seed, 1]))
    kinds = args.models.split(",")
    tables = {}
    for kind in kinds:
        start = time.process_time()
        model, seconds, _ = train_listops(kind, train, args.epochs, seed=args.seed)
        cpu = time.process_time() - start
        tables[kind] = accuracy_by_depth(model, test)
        n = args.epochs * len(train)
        print(f"{kind}: {sum(v.size for v in model.params.values())} parameters; {1000 * seconds / n:.2f} ms wall, "
              f"{1000 * cpu / n:.2f} ms CPU per training expression", flush=True)
    print("| depth | " + " | ".join(kinds) + " | test expressions |")
    print("|---|" + "---|" * (len(kinds) + 1))
    for d in depths:
        print(f"| {d} | " + " | ".join(f"{tables[k][d]:.3f}" for k in kinds) + f" | {int((test.depth == d).sum())} |")
    print(f"| all | " + " | ".join(f"{tables[k]['all']:.3f}" for k in kinds) + f" | {len(test)} |")
    print(f"majority-label accuracy: {np.bincount(test.labels).max() / len(test):.3f}")
    print(f"{kinds[0]} accuracy: {tables[kinds[0]]['all']:.3f} (" +
          ", ".join(f"{k}: {tables[k]['all']:.3f}" for k in kinds[1:]) + ")")


if __name__ == "__main__":
    main()
