"""Sample names from an exported char LM with ONNX Runtime and NumPy only: no unroll.

Run by tests/interop/test_onnx_export.py as `python -I -S ort_sampler.py MODEL N SEED SITE...`:
-I -S drop the user site, PYTHONPATH, the working directory and every .pth file (the editable
install of unroll is one), and only the SITE directories (where numpy and onnxruntime live) are put
back on sys.path; the script then checks that unroll cannot be imported before it samples.
Prints one sample per line.
"""
import importlib.util
import json
import sys

model_path, n, seed, *site = sys.argv[1:]
sys.path.extend(site)
# An editable install (a .pth file) is invisible now; a regular install inside SITE would not be, so
# block the name too: with sys.modules["unroll"] = None every `import unroll` raises ImportError.
print(f"unroll on the clean path: {importlib.util.find_spec('unroll') is not None}", file=sys.stderr)
sys.modules["unroll"] = None

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

try:
    import unroll  # noqa: F401
    raise SystemExit("unroll is importable: the test would prove nothing")
except ImportError:
    pass

options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
meta = session.get_modelmeta().custom_metadata_map
chars, config = json.loads(meta["unroll.vocabulary"]), json.loads(meta["unroll.model"])
index = {c: i for i, c in enumerate(chars)}
n, rng = int(n), np.random.default_rng(int(seed))
L, H = config["num_layers"], config["hidden_size"]
states = {i.name: np.zeros((L, n, H), np.float32) for i in session.get_inputs() if i.name in ("h0", "c0")}
token = np.full((n, 1), index["\n"], np.int64)  # line models start from the end-of-line symbol
out, done = [[] for _ in range(n)], np.zeros(n, bool)
for _ in range(30):
    result = dict(zip([o.name for o in session.get_outputs()],
                      session.run(None, {"tokens": token, "lengths": np.ones(n, np.int32), **states})))
    states = {"h0": result["h_n"], **({"c0": result["c_n"]} if "c_n" in result else {})}
    p = result["probs"][:, -1].astype(np.float64)  # (n, V)
    cdf = p.cumsum(axis=1)
    token = (cdf > rng.random((n, 1)) * cdf[:, -1:]).argmax(axis=1)[:, None]  # (n, 1)
    for k in range(n):
        done[k] |= chars[token[k, 0]] == "\n"
        if not done[k]:
            out[k].append(chars[token[k, 0]])
    if done.all():
        break
print("\n".join("".join(s) for s in out))
