#!/usr/bin/env python3
"""Write test/fixtures/safetensors/python-written.safetensors the way the
reference writer (huggingface/safetensors, serialize) lays a file out: the
header JSON with __metadata__ first, then the tensors sorted by dtype size
(largest first) and name, padded with spaces to 8 bytes; little-endian data.
Uses only struct/json/numpy and torch (for bfloat16's rounding), so it runs
without the safetensors package. The expected values go beside it as JSON.

    /usr/bin/python3 scripts/safetensors_fixture.py
"""
import json
import struct

import numpy as np
import torch

OUT = "test/fixtures/safetensors/python-written"

values = {
    "blocks.0.attn.weight": ("F32", np.array([[1.5, -2.25, 3.0], [0.1, 1e-8, -7.0]], dtype=np.float32)),
    "norm.alpha": ("F64", np.array([1.0, 2.0 ** -1074, -0.0, 1 / 3], dtype=np.float64)),
    "half.weight": ("F16", np.array([1.0, 65504.0, 2.0 ** -24, -0.333251953125, 0.0999755859375], dtype=np.float16)),
    "bf16.weight": ("BF16", torch.tensor([[1.0, -3.140625], [1e30, 2.0 ** -130]], dtype=torch.bfloat16)),
    "scalar": ("F32", np.array(2.5, dtype=np.float32)),
}
size = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}

def raw(dtype, v):
    if dtype == "BF16":
        return v.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return v.astype(v.dtype.newbyteorder("<")).tobytes()

def as_float_list(dtype, v):
    x = v.float().numpy() if dtype == "BF16" else v
    return [float(a) for a in np.asarray(x, dtype=np.float64).reshape(-1)]

order = sorted(values, key=lambda k: (-size[values[k][0]], k))
header = {"__metadata__": {"format": "pt", "written_by": "scripts/safetensors_fixture.py"}}
data = b""
for name in order:
    dtype, v = values[name]
    b = raw(dtype, v)
    header[name] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [len(data), len(data) + len(b)]}
    data += b
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * ((8 - (8 + len(h)) % 8) % 8)
with open(OUT + ".safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)
expected = {name: {"dtype": values[name][0], "shape": list(values[name][1].shape), "data": as_float_list(*values[name])} for name in order}
with open(OUT + ".json", "w") as f:
    json.dump({"order": order, "metadata": header["__metadata__"], "tensors": expected}, f, indent=1)
print("wrote", OUT + ".safetensors", 8 + len(h) + len(data), "bytes")
