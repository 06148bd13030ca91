"""PyTorch as a peer of the bench (bench/pytorch.ts starts this file).

Usage: python3 peer.py JOB_DIR
JOB_DIR holds job.json (the workload, its settings, the thread count) and
tensors.bin (float32 little-endian arrays, placed as job.json's "tensors"
manifest says). The peer builds the workload, prints one JSON line
{"ready": ...} on stdout, then answers one JSON line per command read from
stdin:
  {"cmd": "first"}                      one call from the initial state; its outputs go to
                                        JOB_DIR/out.bin, the reply lists them
  {"cmd": "time", "plan": {...}}        warm-ups and timed calls, timed here with
                                        time.perf_counter (no round trip to Node per call)
  {"cmd": "quit"}
Anything wrong is one line {"error": "..."} and exit status 1.

The models follow the official code's structure: facebookresearch/xcit's
modules as scripts/pytorch_xcit_interop.py writes them out (XCA, LPI,
ConvPatchEmbed, PositionalEncodingFourier, XCABlock, ClassAttention,
ClassAttentionBlock, XCiT.forward_features) and facebookresearch/dino (DINOHead, DINOLoss, the AdamW parameter groups of
utils.get_params_groups, utils.clip_gradients, utils.cancel_gradients_last_layer, the EMA update of main_dino.py's train_one_epoch).
"""
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def fail(message):
    print(json.dumps({"error": message}), flush=True)
    sys.exit(1)


def load_tensors(job_dir, manifest):
    raw = np.fromfile(os.path.join(job_dir, "tensors.bin"), dtype="<f4")
    out = {}
    for name, entry in manifest.items():
        n = int(np.prod(entry["shape"])) if entry["shape"] else 1
        chunk = raw[entry["offset"]: entry["offset"] + n]
        if chunk.size != n:
            fail(f"tensors.bin: {name} needs {n} values at {entry['offset']}, the file has {raw.size}")
        out[name] = torch.from_numpy(chunk.copy()).reshape(entry["shape"])
    return out


def torch_name(path):
    """shapegrad's tree path (blocks[0].attn.qkv.weight) as a state_dict key (blocks.0.attn.qkv.weight)."""
    out = ""
    i = 0
    while i < len(path):
        if path[i] == "[":
            j = path.index("]", i)
            out += "." + path[i + 1: j]
            i = j + 1
        else:
            out += path[i]
            i += 1
    return out


# The XCiT modules (facebookresearch/xcit's xcit.py, the stem generalised to patch 4) are
# scripts/pytorch_xcit_interop.py's, which CI checks against shapegrad's weights both ways.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from pytorch_xcit_interop import XCA, XCiT, Mlp  # noqa: E402


def xcit_backbone(c):
    """XCiT at shapegrad's configuration c (src/nn/xcit/xcit.ts XcitConfig), its classifier replaced by nn.Identity as DINO's MultiCropWrapper does."""
    net = XCiT(c["imgSize"], c["patchSize"], c["inChans"], c["numClasses"], c["embedDim"], c["depth"], c["numHeads"], c["mlpRatio"], c["eta"], c["tokensNorm"], c["clsAttnLayers"], c["posHiddenDim"])
    net.head = nn.Identity()
    net.forward = lambda x: net.head(net.forward_features(x))
    return net


# ---- facebookresearch/dino --------------------------------------------------------------


class DINOHead(nn.Module):
    def __init__(self, in_dim, out_dim, hidden_dim, bottleneck_dim):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, bottleneck_dim))
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        self.last_layer.weight_g.requires_grad = False

    def forward(self, x):
        x = F.normalize(self.mlp(x), dim=-1, p=2)
        return self.last_layer(x)


class MultiCropWrapper(nn.Module):
    """Views of one resolution go through the backbone together (BatchNorm sees them as one batch)."""

    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, views):
        return self.head(self.backbone(torch.cat(views)))


class DINOLoss(nn.Module):
    def __init__(self, out_dim, ncrops, teacher_temp, student_temp, center_momentum):
        super().__init__()
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.center_momentum = center_momentum
        self.ncrops = ncrops
        self.register_buffer("center", torch.zeros(1, out_dim))

    def forward(self, student_output, teacher_output):
        student_out = (student_output / self.student_temp).chunk(self.ncrops)
        teacher_out = F.softmax((teacher_output - self.center) / self.teacher_temp, dim=-1).detach().chunk(2)
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                total_loss += torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        self.update_center(teacher_output)
        return total_loss

    @torch.no_grad()
    def update_center(self, teacher_output):
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
        self.center = self.center * self.center_momentum + batch_center * (1 - self.center_momentum)


def get_params_groups(model):
    regularized, not_regularized = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if name.endswith(".bias") or len(param.shape) == 1:
            not_regularized.append(param)
        else:
            regularized.append(param)
    return [{"params": regularized}, {"params": not_regularized, "weight_decay": 0.0}]


def clip_gradients(model, clip):
    """dino/utils.py's clip_gradients: each parameter's gradient clipped on its own norm."""
    norms = []
    for p in model.parameters():
        if p.grad is not None:
            param_norm = p.grad.data.norm(2)
            norms.append(param_norm.item())
            clip_coef = clip / (param_norm + 1e-6)
            if clip_coef < 1:
                p.grad.data.mul_(clip_coef)
    return norms


def cancel_gradients_last_layer(model, frozen):
    """dino/utils.py's cancel_gradients_last_layer: while frozen, the last layer has no gradient (AdamW skips it)."""
    if not frozen:
        return
    for n, p in model.named_parameters():
        if "last_layer" in n:
            p.grad = None


def ema_update(student, teacher, m):
    """train_one_epoch's EMA update of the teacher."""
    with torch.no_grad():
        for param_q, param_k in zip(student.parameters(), teacher.parameters()):
            param_k.data.mul_(m).add_((1 - m) * param_q.detach().data)


# ---- shapegrad's augmentation, from the view data it drew (data/augment/view.ts) ------------


def resample(x, ry, rx):
    return ry @ x @ rx.transpose(1, 2)


def jitter(x, brightness, contrast, brightness_first):
    b = brightness[:, None, None]
    c = contrast[:, None, None]

    def bright(y):
        return (b * y).clamp(0, 1)

    def contr(y):
        return (c * y + (1 - c) * y.mean(dim=(1, 2), keepdim=True)).clamp(0, 1)

    return torch.where(brightness_first[:, None, None] != 0, contr(bright(x)), bright(contr(x)))


def solarize(x, flags, threshold=128 / 255):
    invert = (flags[:, None, None] != 0) & (x >= threshold)
    return torch.where(invert, 1 - x, x)


def augment(images, view):
    x = resample(images, view["ry"], view["rx"])
    if "brightness" in view:
        x = jitter(x, view["brightness"], view["contrast"], view["brightnessFirst"])
    if "gy" in view:
        x = resample(x, view["gy"], view["gx"])
    if "solarize" in view:
        x = solarize(x, view["solarize"])
    return x.unsqueeze(1)


# ---- workloads ----------------------------------------------------------------------------


def load_params(module, tensors, prefix, skip=()):
    """Copies tensors[prefix + shapegrad path] into the module's state_dict (by the official names)."""
    state = module.state_dict()
    seen = set()
    for key, value in tensors.items():
        if not key.startswith(prefix):
            continue
        name = torch_name(key[len(prefix):])
        if any(name.startswith(s) for s in skip) or name.endswith("num_batches_tracked"):
            continue
        if name not in state:
            fail(f"{prefix}{key[len(prefix):]}: no parameter {name} in the PyTorch model")
        if tuple(state[name].shape) != tuple(value.shape):
            fail(f"{name}: shape {tuple(value.shape)} from shapegrad, {tuple(state[name].shape)} in the PyTorch model")
        state[name].copy_(value)
        seen.add(name)
    missing = [n for n in state if n not in seen and not n.endswith("num_batches_tracked")]
    if missing:
        fail(f"parameters not given by shapegrad: {', '.join(missing)}")


class DinoStep:
    """main_dino.py's train_one_epoch, one iteration: teacher on the global views, student, DINOLoss, backward,
    clip_gradients, cancel_gradients_last_layer, AdamW (lr and weight decay of the step), EMA."""

    def __init__(self, job, tensors):
        c = job["config"]
        self.steps = job["steps"]
        self.tensors = tensors

        def network():
            return MultiCropWrapper(xcit_backbone(c["xcit"]), DINOHead(c["xcit"]["embedDim"], c["outDim"], c["hiddenDim"], c["bottleneckDim"]))

        self.student = network()
        self.teacher = network()
        # shapegrad's backbone carries the XCiT classifier (head.*), which DINO replaces with nn.Identity.
        load_params(self.student, tensors, "student.", skip=("backbone.head.",))
        load_params(self.teacher, tensors, "teacher.", skip=("backbone.head.",))
        for p in self.teacher.parameters():
            p.requires_grad = False
        self.loss = DINOLoss(c["outDim"], 2, c["teacherTemp"], c["studentTemp"], c["centerMomentum"])
        self.optimizer = torch.optim.AdamW(get_params_groups(self.student), lr=0.0)
        self.clip_grad = c["clipGrad"]
        self.images = tensors["images"]
        self.views = [[{k[len(f"step{s}.view{v}."):]: t for k, t in tensors.items() if k.startswith(f"step{s}.view{v}.")} for v in range(2)] for s in range(self.steps)]
        self.calls = 0

    def call(self):
        s = self.calls % self.steps
        info = self.steps_info[s]
        self.calls += 1
        for i, group in enumerate(self.optimizer.param_groups):
            group["lr"] = info["lr"]
            if i == 0:
                group["weight_decay"] = info["wd"]
        views = [augment(self.images, v) for v in self.views[s]]
        teacher_output = self.teacher(views)
        student_output = self.student(views)
        loss = self.loss(student_output, teacher_output)
        self.optimizer.zero_grad()
        loss.backward()
        if self.clip_grad:
            clip_gradients(self.student, self.clip_grad)
        cancel_gradients_last_layer(self.student, info["lastLayerFrozen"])
        self.optimizer.step()
        ema_update(self.student, self.teacher, info["momentum"])
        return loss.item()

    def first(self):
        losses = [self.call() for _ in range(self.steps)]
        return {"loss": losses[0], "losses": losses}, {"center": self.loss.center.reshape(-1)}


class XcitBench:
    """bench/workloads/xcit-model.ts's step: linear patch embedding, XCA blocks (official XCA, Mlp), mean pool, CE, SGD."""

    def __init__(self, job, tensors):
        c = job["config"]
        self.c = c
        dim = c["dim"]
        self.embed = nn.Linear(c["patch"] ** 2, dim)
        self.blocks = nn.ModuleList()
        for _ in range(c["depth"]):
            blk = nn.Module()
            blk.norm1 = nn.LayerNorm(dim, eps=c["eps"])
            blk.attn = XCA(dim, c["heads"])
            blk.gamma1 = nn.Parameter(torch.ones(dim))
            blk.norm2 = nn.LayerNorm(dim, eps=c["eps"])
            blk.mlp = Mlp(dim, dim * c["mlpRatio"])
            blk.gamma2 = nn.Parameter(torch.ones(dim))
            self.blocks.append(blk)
        self.head = nn.Linear(dim, c["classes"])
        self.paths = {}
        for i, blk in enumerate(self.blocks):
            a, m = f"blocks[{i}][0]", f"blocks[{i}][1]"
            self.paths.update({
                f"{a}.gamma": blk.gamma1, f"{a}.inner.norm.weight": blk.norm1.weight, f"{a}.inner.norm.bias": blk.norm1.bias,
                f"{a}.inner.inner.temperature": blk.attn.temperature, f"{a}.inner.inner.qkv.weight": blk.attn.qkv.weight,
                f"{a}.inner.inner.qkv.bias": blk.attn.qkv.bias, f"{a}.inner.inner.proj.weight": blk.attn.proj.weight,
                f"{a}.inner.inner.proj.bias": blk.attn.proj.bias, f"{m}.gamma": blk.gamma2, f"{m}.inner.norm.weight": blk.norm2.weight,
                f"{m}.inner.norm.bias": blk.norm2.bias, f"{m}.inner.inner.fc1.weight": blk.mlp.fc1.weight, f"{m}.inner.inner.fc1.bias": blk.mlp.fc1.bias,
                f"{m}.inner.inner.fc2.weight": blk.mlp.fc2.weight, f"{m}.inner.inner.fc2.bias": blk.mlp.fc2.bias,
            })
        self.paths.update({"embed.weight": self.embed.weight, "embed.bias": self.embed.bias, "head.weight": self.head.weight, "head.bias": self.head.bias})
        given = {k[len("params."):]: t for k, t in tensors.items() if k.startswith("params.")}
        if set(given) != set(self.paths):
            fail(f"xcit: parameters differ: shapegrad has {sorted(set(given) - set(self.paths))} more, PyTorch {sorted(set(self.paths) - set(given))} more")
        with torch.no_grad():
            for k, p in self.paths.items():
                if tuple(p.shape) != tuple(given[k].shape):
                    fail(f"xcit: {k} is {tuple(given[k].shape)} in shapegrad, {tuple(p.shape)} here")
                p.copy_(given[k])
        self.params = list(self.paths.values())
        self.optimizer = torch.optim.SGD(self.params, lr=c["learningRate"])
        self.images = tensors["images"]
        self.labels = tensors["labels"].long()

    def forward(self):
        c = self.c
        B, g, p = c["batch"], c["image"] // c["patch"], c["patch"]
        x = self.images.reshape(B, g, p, g, p).permute(0, 1, 3, 2, 4).reshape(B, g * g, p * p)
        h = self.embed(x)
        for blk in self.blocks:
            h = h + blk.gamma1 * blk.attn(blk.norm1(h))
            h = h + blk.gamma2 * blk.mlp(blk.norm2(h))
        return F.cross_entropy(self.head(h.mean(1)), self.labels)

    def call(self):
        self.optimizer.zero_grad()
        loss = self.forward()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def first(self):
        loss = self.call()
        return {"loss": loss}, {f"params.{k}": p.detach() for k, p in self.paths.items()}


class Matmul:
    def __init__(self, job, tensors):
        self.a = tensors["a"]
        self.b = tensors["b"]

    def call(self):
        # The product read back to the host: a NumPy view of the result (no copy).
        return torch.mm(self.a, self.b).numpy()

    def first(self):
        c = torch.from_numpy(self.call())
        return {"loss": float((c.double() ** 2).mean())}, {"c": c}


WORKLOADS = {"dino-step": DinoStep, "xcit": XcitBench, "matmul": Matmul}


def allocator():
    """The malloc in use: jemalloc or tcmalloc when preloaded or linked, else glibc's."""
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        maps = ""
    for name in ("jemalloc", "tcmalloc", "mimalloc"):
        if name in maps or name in os.environ.get("LD_PRELOAD", ""):
            return name
    return "glibc malloc"


def blas():
    """The BLAS behind torch.mm: torch's build says only "generic" (libblas.so.3); the library mapped says which."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        maps = ""
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    built = m.group(1) if m else "unknown"
    for name, says in (("openblas", "OpenBLAS"), ("libmkl", "MKL"), ("blis", "BLIS"), ("/blas/libblas", "reference BLAS")):
        if name in maps:
            return f"{says} ({built})"
    return built


def write_outputs(job_dir, tensors):
    manifest = {}
    offset = 0
    with open(os.path.join(job_dir, "out.bin"), "wb") as f:
        for name, t in tensors.items():
            a = t.detach().to(torch.float32).contiguous().numpy().astype("<f4", copy=False)
            f.write(a.tobytes())
            manifest[name] = {"shape": list(a.shape), "offset": offset}
            offset += a.size
    return manifest


def time_calls(call, plan, parent):
    """Warm-ups, then timed calls until `repeats`, or past budgetMs once minRepeats are taken (bench/common.ts timeAsync)."""
    deadline = plan.get("deadlineS", math.inf)
    last = 0.0
    cut = False
    for _ in range(plan["warmup"]):
        if time.perf_counter() + last > deadline:
            cut = True
            break
        t0 = time.perf_counter()
        call()
        last = time.perf_counter() - t0
    samples = []
    start = time.perf_counter()
    while len(samples) < plan["repeats"]:
        if os.getppid() != parent:
            sys.exit(1)
        if len(samples) >= plan["minRepeats"] and (time.perf_counter() - start) * 1000 > plan["budgetMs"]:
            break
        if samples and time.perf_counter() + last > deadline:
            cut = True
            break
        t0 = time.perf_counter()
        call()
        last = time.perf_counter() - t0
        samples.append(last * 1000)
    return {"samples": samples, "cut": cut}


def main():
    if len(sys.argv) != 2:
        fail("usage: peer.py JOB_DIR")
    job_dir = sys.argv[1]
    parent = os.getppid()
    with open(os.path.join(job_dir, "job.json")) as f:
        job = json.load(f)
    if job.get("workload") not in WORKLOADS:
        fail(f"unknown workload {job.get('workload')!r}; this peer knows {', '.join(WORKLOADS)}")
    threads = job.get("threads")
    if not isinstance(threads, int) or threads < 1:
        fail(f"threads must be a positive integer, got {threads!r}")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    tensors = load_tensors(job_dir, job["tensors"])
    work = WORKLOADS[job["workload"]](job, tensors)
    if isinstance(work, DinoStep):
        work.steps_info = job["stepsInfo"]
    setup_ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({
        "ready": True, "setupMs": setup_ms, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(), "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "ompThreads": os.environ.get("OMP_NUM_THREADS"), "allocator": allocator(), "blas": blas(),
    }), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "first":
            t1 = time.perf_counter()
            scalars, outs = work.first()
            ms = (time.perf_counter() - t1) * 1000
            print(json.dumps({"ms": ms, **scalars, "tensors": write_outputs(job_dir, outs)}), flush=True)
        elif cmd["cmd"] == "time":
            plan = dict(cmd["plan"])
            if "deadlineInS" in plan:
                plan["deadlineS"] = time.perf_counter() + plan["deadlineInS"]
            print(json.dumps(time_calls(work.call, plan, parent)), flush=True)
        elif cmd["cmd"] == "quit":
            return
        else:
            fail(f"unknown command {cmd['cmd']!r}")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # one line for the parent, whatever went wrong
        fail(f"{type(e).__name__}: {e}")
