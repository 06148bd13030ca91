#!/usr/bin/env python3
"""Weights between shapegrad and the official PyTorch XCiT, both ways.

The modules below are the architecture of facebookresearch/xcit's xcit.py
(PositionalEncodingFourier, ConvPatchEmbed, LPI, ClassAttention,
ClassAttentionBlock, XCA, XCABlock, XCiT.forward_features, with timm's Mlp),
written out so that this script needs only torch; state_dict names and the
forward pass are the official ones. Two things are generalised, as shapegrad's
xcitMnist configuration needs (src/nn/xcit/xcit.ts): the conv stem is built
for any patch 2^k (k stride-2 conv3x3+BN stages ending on E/2^(k-1-i)
channels; patch 8 and 16 give the official stems) with in_chans input
channels (the official stem hard-codes 3), and the Fourier encoding's
hidden_dim is a parameter (official default 32). SyncBatchNorm is
BatchNorm2d: the same state_dict, and the same function in eval mode.
Configuration: 28x28x1 images, patch 4 (a 7x7 grid), width 32, 2 XCA blocks,
4 heads, mlp_ratio 2, 2 class-attention blocks, eta 1, tokens_norm, pos
hidden_dim 16, 10 classes.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_xcit_interop.py official         # (b)
    node scripts/interop-shapegrad-xcit.mjs                                                  # a shapegrad run, exported
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_xcit_interop.py check-shapegrad  # (a)
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_xcit_interop.py load FILE        # any exported file

Images and the safetensors reader/writer are shared with scripts/pytorch_interop.py.
"""
import json
import math
import sys

import torch
import torch.nn as nn

from pytorch_interop import DIR, flat, images, load_safetensors, save_safetensors

torch.set_num_threads(1)
TINY = dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=32, depth=2, num_heads=4,
            mlp_ratio=2, eta=1.0, tokens_norm=True, cls_attn_layers=2, pos_hidden_dim=16)


class Mlp(nn.Module):  # timm.models.layers.Mlp (dropout 0)
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PositionalEncodingFourier(nn.Module):
    def __init__(self, hidden_dim, dim, temperature=10000):
        super().__init__()
        self.token_projection = nn.Conv2d(hidden_dim * 2, dim, kernel_size=1)
        self.scale = 2 * math.pi
        self.temperature = temperature
        self.hidden_dim = hidden_dim

    def forward(self, B, H, W):
        dev = self.token_projection.weight.device
        not_mask = torch.ones(B, H, W, dtype=torch.bool, device=dev)
        y_embed = not_mask.cumsum(1, dtype=torch.float32)
        x_embed = not_mask.cumsum(2, dtype=torch.float32)
        eps = 1e-6
        y_embed = y_embed / (y_embed[:, -1:, :] + eps) * self.scale
        x_embed = x_embed / (x_embed[:, :, -1:] + eps) * self.scale
        dim_t = torch.arange(self.hidden_dim, dtype=torch.float32, device=dev)
        dim_t = self.temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / self.hidden_dim)
        pos_x = x_embed[:, :, :, None] / dim_t
        pos_y = y_embed[:, :, :, None] / dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos = torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)
        return self.token_projection(pos.to(self.token_projection.weight.dtype))


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(out_planes))


class ConvPatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        k = round(math.log2(patch_size))
        assert 2 ** k == patch_size
        self.num_patches = (img_size // patch_size) ** 2
        layers, cin = [], in_chans
        for i in range(k):
            cout = embed_dim // 2 ** (k - 1 - i)
            layers.append(conv3x3(cin, cout, 2))
            if i < k - 1:
                layers.append(nn.GELU())
            cin = cout
        self.proj = nn.Sequential(*layers)

    def forward(self, x):
        x = self.proj(x)
        Hp, Wp = x.shape[2], x.shape[3]
        return x.flatten(2).transpose(1, 2), (Hp, Wp)


class LPI(nn.Module):
    def __init__(self, dim, kernel_size=3):
        super().__init__()
        padding = kernel_size // 2
        self.conv1 = nn.Conv2d(dim, dim, kernel_size=kernel_size, padding=padding, groups=dim)
        self.act = nn.GELU()
        self.bn = nn.BatchNorm2d(dim)
        self.conv2 = nn.Conv2d(dim, dim, kernel_size=kernel_size, padding=padding, groups=dim)

    def forward(self, x, H, W):
        B, N, C = x.shape
        x = x.permute(0, 2, 1).reshape(B, C, H, W)
        x = self.conv2(self.bn(self.act(self.conv1(x))))
        return x.reshape(B, C, N).permute(0, 2, 1)


class ClassAttention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        qc = q[:, :, 0:1]
        attn_cls = ((qc * k).sum(dim=-1) * self.scale).softmax(dim=-1)
        cls_tkn = (attn_cls.unsqueeze(2) @ v).transpose(1, 2).reshape(B, 1, C)
        return torch.cat([self.proj(cls_tkn), x[:, 1:]], dim=1)


class ClassAttentionBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, eta, tokens_norm):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = ClassAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.gamma1 = nn.Parameter(eta * torch.ones(dim))
        self.gamma2 = nn.Parameter(eta * torch.ones(dim))
        self.tokens_norm = tokens_norm

    def forward(self, x):
        x = x + self.gamma1 * self.attn(self.norm1(x))
        if self.tokens_norm:
            x = self.norm2(x)
        else:
            x = torch.cat([self.norm2(x[:, 0:1]), x[:, 1:]], dim=1)
        x_res = x
        cls_token = self.gamma2 * self.mlp(x[:, 0:1])
        return x_res + torch.cat([cls_token, x[:, 1:]], dim=1)


class XCA(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0].transpose(-2, -1), qkv[1].transpose(-2, -1), qkv[2].transpose(-2, -1)
        q = torch.nn.functional.normalize(q, dim=-1)
        k = torch.nn.functional.normalize(k, dim=-1)
        attn = ((q @ k.transpose(-2, -1)) * self.temperature).softmax(dim=-1)
        return self.proj((attn @ v).permute(0, 3, 1, 2).reshape(B, N, C))


class XCABlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, eta):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = XCA(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.norm3 = nn.LayerNorm(dim, eps=1e-6)
        self.local_mp = LPI(dim)
        self.gamma1 = nn.Parameter(eta * torch.ones(dim))
        self.gamma2 = nn.Parameter(eta * torch.ones(dim))
        self.gamma3 = nn.Parameter(eta * torch.ones(dim))

    def forward(self, x, H, W):
        x = x + self.gamma1 * self.attn(self.norm1(x))
        x = x + self.gamma3 * self.local_mp(self.norm3(x), H, W)
        return x + self.gamma2 * self.mlp(self.norm2(x))


class XCiT(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim, depth, num_heads, mlp_ratio,
                 eta, tokens_norm, cls_attn_layers, pos_hidden_dim):
        super().__init__()
        self.patch_embed = ConvPatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.blocks = nn.ModuleList([XCABlock(embed_dim, num_heads, mlp_ratio, eta) for _ in range(depth)])
        self.cls_attn_blocks = nn.ModuleList(
            [ClassAttentionBlock(embed_dim, num_heads, mlp_ratio, eta, tokens_norm) for _ in range(cls_attn_layers)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)
        self.pos_embeder = PositionalEncodingFourier(pos_hidden_dim, embed_dim)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def forward_features(self, x):
        B = x.shape[0]
        x, (Hp, Wp) = self.patch_embed(x)
        x = x + self.pos_embeder(B, Hp, Wp).reshape(B, -1, x.shape[1]).permute(0, 2, 1)
        for blk in self.blocks:
            x = blk(x, Hp, Wp)
        x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        for blk in self.cls_attn_blocks:
            x = blk(x)
        return self.norm(x)[:, 0]


def features(state_dict, x, dtype):
    model = XCiT(**TINY).to(dtype).eval()
    model.load_state_dict({k: v.to(dtype) for k, v in state_dict.items()}, strict=True)
    with torch.no_grad():
        return model.forward_features(x.to(dtype)).double()


def official():
    torch.manual_seed(0)
    model = XCiT(**TINY)
    with torch.no_grad():  # stand-in for training: every parameter and BatchNorm statistic off its init
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn_like(b))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand_like(b))
            elif name.endswith("num_batches_tracked"):
                b.fill_(100)
    sd = model.state_dict()
    path = DIR + "official-xcit-tiny.safetensors"
    save_safetensors(path, sd, "F32", {"format": "pt", "model": "xcit-tiny", "made_by": "scripts/pytorch_xcit_interop.py official"})
    sd32, _ = load_safetensors(path)
    x = images()
    f32 = features(sd32, x, torch.float32)
    f64 = features(sd32, x, torch.float64)
    with open(DIR + "official-xcit-tiny.features.json", "w") as f:
        json.dump({"shape": list(f32.shape), "float32": flat(f32), "float64": flat(f64),
                   "note": "forward_features of the file's float32 weights (eval mode), computed by torch in float32 and in float64"}, f)
    print("official: wrote", path, len(sd), "tensors, features", tuple(f32.shape), "|f32 - f64| max", float((f32 - f64).abs().max()))


def check_shapegrad():
    sd, meta = load_safetensors(DIR + "shapegrad-xcit-tiny.safetensors")
    with open(DIR + "shapegrad-xcit-tiny.features.json") as f:
        theirs = torch.tensor(json.load(f)["float64"], dtype=torch.float64)
    x = images()
    f32 = features(sd, x, torch.float32)  # load_state_dict(strict=True) inside
    f64 = features(sd, x, torch.float64)
    rel = lambda a, b: float(((a.reshape(-1) - b).abs() / b.abs().max()).max())
    print("check-shapegrad: metadata", meta)
    print("check-shapegrad: load_state_dict(strict=True) ok;", len(sd), "tensors")
    print("check-shapegrad: max |torch f32 - shapegrad| / max|shapegrad| =", rel(f32, theirs))
    print("check-shapegrad: max |torch f64 - shapegrad| / max|shapegrad| =", rel(f64, theirs))
    if rel(f32, theirs) > 1e-5:  # CI runs this where torch is installed
        sys.exit("check-shapegrad: torch's float32 features differ from shapegrad's by more than 1e-5")
    with open(DIR + "shapegrad-xcit-tiny.torch-features.json", "w") as f:
        json.dump({"shape": list(f32.shape), "float32": flat(f32), "float64": flat(f64),
                   "note": "torch forward_features of shapegrad-xcit-tiny.safetensors after load_state_dict(strict=True)"}, f)


def load(path):
    """Any xcit-tiny safetensors file (e.g. from `shapegrad export`) into the official model, strictly."""
    sd, meta = load_safetensors(path)
    f = features(sd, images(), torch.float32)
    print("load: metadata", meta)
    print("load: load_state_dict(strict=True) ok;", len(sd), "tensors; forward_features of the 4 fixture images", tuple(f.shape))
    print("load: first row", [round(float(v), 4) for v in f[0, :6]], "...")


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2])
    else:
        {"official": official, "check-shapegrad": check_shapegrad}[sys.argv[1]]()
