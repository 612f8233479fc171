"""Weights to and from other frameworks, each imported only when called (see docs/interop.md):

- `unroll.interop.torch`: from_torch / to_torch (nn.RNN/LSTM/GRU and their cells; a state_dict copy).
- `unroll.interop.keras`: from_keras / to_keras (Keras 3 SimpleRNN, LSTM, GRU, Bidirectional, Dense,
  Embedding, stacks and Sequentials; the `keras` extra, on the torch backend).
- `unroll.interop.onnx`: export (stacks as ONNX RNN/LSTM/GRU, the char LM, classifiers; the `onnx`
  extra), checked by onnx.checker and matched by onnxruntime.
"""
