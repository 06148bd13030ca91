#!/usr/bin/env python3
"""Weights between shapegrad and the official PyTorch ResMLP, both ways.

The model below is the architecture of facebookresearch/deit's
resmlp_models.py (Affine, layers_scale_mlp_blocks, resmlp_models with timm's
PatchEmbed and Mlp), written out here so that this script needs only torch;
its state_dict names and forward_features are the official ones. The
configuration is shapegrad's resmlp-tiny (src/nn/resmlp/resmlp.ts,
resmlpTinyMnist): 28x28x1 images, patch 4 (49 tokens), width 32, 2 blocks,
init_scale 0.1, 10 classes.

    /usr/bin/python3 scripts/pytorch_interop.py images            # test/fixtures/interop/images.json
    /usr/bin/python3 scripts/pytorch_interop.py official          # (b) official init -> safetensors + features
    node scripts/interop-export-shapegrad.mjs                     # shapegrad init -> safetensors + features
    /usr/bin/python3 scripts/pytorch_interop.py check-shapegrad   # (a) load_state_dict(strict=True) + features

safetensors files are read and written by hand (struct/json), so the
safetensors package is not needed either.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
DIR = "test/fixtures/interop/"
TINY = dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=32, depth=2, init_scale=0.1)


# ---------------------------------------------------------------- the official architecture

class Affine(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        return self.alpha * x + self.beta


class Mlp(nn.Module):  # timm.models.layers.Mlp (dropout 0)
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PatchEmbed(nn.Module):  # timm.models.layers.PatchEmbed (flatten, no norm)
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Block(nn.Module):  # layers_scale_mlp_blocks (drop_path 0)
    def __init__(self, dim, init_values, num_patches):
        super().__init__()
        self.norm1 = Affine(dim)
        self.attn = nn.Linear(num_patches, num_patches)
        self.norm2 = Affine(dim)
        self.mlp = Mlp(dim, int(4.0 * dim))
        self.gamma_1 = nn.Parameter(init_values * torch.ones(dim))
        self.gamma_2 = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        x = x + self.gamma_1 * self.attn(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.gamma_2 * self.mlp(self.norm2(x))


class ResMLP(nn.Module):  # resmlp_models
    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim, depth, init_scale):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        n = self.patch_embed.num_patches
        self.blocks = nn.ModuleList([Block(embed_dim, init_scale, n) for _ in range(depth)])
        self.norm = Affine(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)  # timm's trunc_normal_: cut at ±2 (absolute)
            nn.init.constant_(m.bias, 0)

    def forward_features(self, x):
        x = self.patch_embed(x)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x).mean(dim=1)

    def forward(self, x):
        return self.head(self.forward_features(x))


# ---------------------------------------------------------------- safetensors by hand

DT = {"F32": (np.float32, torch.float32), "F64": (np.float64, torch.float64)}


def save_safetensors(path, state_dict, dtype="F32", metadata=None):
    header = {"__metadata__": metadata} if metadata else {}
    data = b""
    for name in sorted(state_dict):
        b = state_dict[name].detach().cpu().numpy().astype(np.dtype(DT[dtype][0]).newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(state_dict[name].shape), "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=np.dtype(DT[info["dtype"]][0]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.astype(DT[info["dtype"]][0]).reshape(info["shape"]))
    return out, meta


# ---------------------------------------------------------------- steps

def images():
    with open(DIR + "images.json") as f:
        j = json.load(f)
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"])


def features(state_dict, x, dtype):
    model = ResMLP(**TINY).to(dtype).eval()
    model.load_state_dict({k: v.to(dtype) for k, v in state_dict.items()}, strict=True)
    with torch.no_grad():
        return model.forward_features(x.to(dtype)).double()


def flat(t):
    return [float(v) for v in t.reshape(-1)]


def make_images():
    g = torch.Generator().manual_seed(17)
    x = torch.rand(4, 1, 28, 28, generator=g, dtype=torch.float64)
    x = torch.round(x * 255) / 255  # 8-bit pixels, as MNIST's
    with open(DIR + "images.json", "w") as f:
        json.dump({"shape": list(x.shape), "data": flat(x), "note": "uniform 8-bit pixels, torch.Generator seed 17"}, f)


def official():
    torch.manual_seed(0)
    model = ResMLP(**TINY)
    with torch.no_grad():  # stand-in for training: move every parameter off its init
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    sd = model.state_dict()
    path = DIR + "official-resmlp-tiny.safetensors"
    save_safetensors(path, sd, "F32", {"format": "pt", "model": "resmlp-tiny", "made_by": "scripts/pytorch_interop.py official"})
    sd32, _ = load_safetensors(path)
    x = images()
    f32 = features(sd32, x, torch.float32)
    f64 = features(sd32, x, torch.float64)
    with open(DIR + "official-resmlp-tiny.features.json", "w") as f:
        json.dump({"shape": list(f32.shape), "float32": flat(f32), "float64": flat(f64),
                   "note": "forward_features of the file's float32 weights, computed by torch in float32 and in float64"}, f)
    print("official: wrote", path, "features", tuple(f32.shape), "|f32 - f64| max", float((f32 - f64).abs().max()))


def check_shapegrad():
    sd, meta = load_safetensors(DIR + "shapegrad-resmlp-tiny.safetensors")
    with open(DIR + "shapegrad-resmlp-tiny.features.json") as f:
        theirs = torch.tensor(json.load(f)["float64"], dtype=torch.float64)
    x = images()
    f32 = features(sd, x, torch.float32)  # load_state_dict(strict=True) inside
    f64 = features(sd, x, torch.float64)
    rel = lambda a, b: float(((a.reshape(-1) - b) .abs() / b.abs().max()).max())
    print("check-shapegrad: metadata", meta)
    print("check-shapegrad: load_state_dict(strict=True) ok;", len(sd), "tensors")
    print("check-shapegrad: max |torch f32 - shapegrad| / max|shapegrad| =", rel(f32, theirs))
    print("check-shapegrad: max |torch f64 - shapegrad| / max|shapegrad| =", rel(f64, theirs))
    if rel(f32, theirs) > 1e-5:  # CI runs this where torch is installed
        sys.exit("check-shapegrad: torch's float32 features differ from shapegrad's by more than 1e-5")
    with open(DIR + "shapegrad-resmlp-tiny.torch-features.json", "w") as f:
        json.dump({"shape": list(f32.shape), "float32": flat(f32), "float64": flat(f64),
                   "note": "torch forward_features of shapegrad-resmlp-tiny.safetensors after load_state_dict(strict=True)"}, f)


if __name__ == "__main__":
    {"images": make_images, "official": official, "check-shapegrad": check_shapegrad}[sys.argv[1]]()
