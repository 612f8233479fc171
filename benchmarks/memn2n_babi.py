"""MemN2N (3 hops, d 20, adjacent tying, PE, TE, linear start) on generated bAbI-style tasks 1 and 2.

    OPENBLAS_NUM_THREADS=1 python benchmarks/memn2n_babi.py                 # 1k and 10k questions
    OPENBLAS_NUM_THREADS=1 python benchmarks/memn2n_babi.py --sizes 1000

Prints test accuracy (1000 generated test questions) per task and training-set size, and the time
per training question. The published MemN2N (PE LS RN, bAbI 1k): task 1 99.9%, task 2 78.4%; ours are
generated stories (unroll.data.babi), so the numbers are not comparable one to one.
"""
import argparse

from unroll.memory.experiments import BabiRun, train_memn2n


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="1,2")
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--epochs", type=int, default=40, help="epochs at 1k; 20 at 10k (the same order of updates)")
    p.add_argument("--linear-start", type=int, default=5)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    print("task  train  epochs  accuracy  ms/question")
    for task in (int(t) for t in args.tasks.split(",")):
        for size in (int(s) for s in args.sizes.split(",")):
            epochs = args.epochs if size <= 1000 else max(args.linear_start + 1, args.epochs // 2)
            run = BabiRun(train_size=size, epochs=epochs, linear_start=args.linear_start, lr=args.lr)
            _, r, _ = train_memn2n(task, run, args.seed)
            print(f"{task:4d}  {size:5d}  {epochs:6d}  {r['accuracy']:8.3f}  {1000 * r['seconds'] / r['questions']:11.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
