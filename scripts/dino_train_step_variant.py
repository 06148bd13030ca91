"""A variant of the golden file dino_train_step.json, made with the unmodified official code.

The golden set's dino_train_step.json (test/fixtures/golden) has one size and seed, at epoch 0
with the last layer frozen. This script writes another file of the same layout from
main_dino.train_one_epoch at other sizes and another seed (B = 3, 3 local crops, depth 1, 4 heads,
embed 16, K = 24), at epoch 1: the last layer learns for the first time (its AdamW step count is
1 while the others' is 6), the teacher temperature is mid warm-up, the rate schedule has a warm-up,
and several gradients exceed clip_grad. It is test/fixtures/golden-variants/dino_train_step.json.

With --optimizer sgd or lars the step runs with main_dino.py's other optimisers
(torch.optim.SGD(params_groups, lr=0, momentum=0.9) or utils.LARS(params_groups)), resumed from
random momentum buffers; the file's config.optimizer_flag names it (main_dino.py's --optimizer;
'adamw' when absent, as in the golden set), its inputs sgd/momentum_buffer_before/<name> or
lars/mu_before/<name> hold the buffers, and its rate schedule peaks at --lr. --freeze-last-layer 2
keeps the last layer frozen at epoch 1; --frozen-momentum also gives it a buffer, which the step
must leave alone. The two files: --optimizer sgd, and --optimizer lars --lr 1.0
--freeze-last-layer 2 --frozen-momentum (test/fixtures/golden-variants/README.md).

Usage: OPENBLAS_NUM_THREADS=1 python3 scripts/dino_train_step_variant.py DINO_CHECKOUT OUT.json [SEED]
          [--optimizer adamw|sgd|lars] [--lr BASE] [--freeze-last-layer N] [--frozen-momentum]
  DINO_CHECKOUT: facebookresearch/dino at 7c446df (main_dino.py, utils.py, vision_transformer.py);
  torch 1.13. torchvision and PIL are only imported by those files: empty modules stand in for them.
Stand-ins that do no arithmetic, as the golden set's README says: Tensor.cuda -> identity,
torch.cuda.synchronize -> no-op, MetricLogger.synchronize_between_processes -> no-op; the student
is wrapped in a module with DistributedDataParallel's `.module` (world size 1); DINOLoss's
all_reduce runs in a single-process gloo group. Records are taken by wrapping clip_gradients,
optimizer.step and DINOLoss.forward (records only).
"""
import sys, types, json, os, math, argparse
cli = argparse.ArgumentParser()
cli.add_argument('checkout'); cli.add_argument('out'); cli.add_argument('seed', nargs='?', type=int, default=7)
cli.add_argument('--optimizer', choices=['adamw', 'sgd', 'lars'], default='adamw')
cli.add_argument('--lr', type=float, default=0.02)
cli.add_argument('--freeze-last-layer', type=int, default=1)
cli.add_argument('--frozen-momentum', action='store_true')
opts = cli.parse_args()
sys.path.insert(0, opts.checkout)
# stand-ins for modules that are only imported (no arithmetic): torchvision, PIL
for name in ['torchvision', 'torchvision.datasets', 'torchvision.transforms', 'torchvision.models', 'PIL', 'PIL.Image', 'PIL.ImageFilter', 'PIL.ImageOps']:
    sys.modules[name] = types.ModuleType(name)
sys.modules['torchvision'].datasets = sys.modules['torchvision.datasets']
sys.modules['torchvision'].transforms = sys.modules['torchvision.transforms']
sys.modules['torchvision'].models = sys.modules['torchvision.models']
sys.modules['PIL'].Image = sys.modules['PIL.Image']
sys.modules['PIL'].ImageFilter = sys.modules['PIL.ImageFilter']
sys.modules['PIL'].ImageOps = sys.modules['PIL.ImageOps']
import torch, torch.nn as nn, torch.distributed as dist
import numpy as np
torch.Tensor.cuda = lambda self, *a, **k: self
torch.cuda.synchronize = lambda *a, **k: None
import utils, main_dino
import vision_transformer as vits
utils.MetricLogger.synchronize_between_processes = lambda self: None

os.environ.setdefault('MASTER_ADDR', '127.0.0.1'); os.environ.setdefault('MASTER_PORT', '29533')
dist.init_process_group('gloo', rank=0, world_size=1)
torch.set_default_dtype(torch.float64)
seed = opts.seed
g = torch.Generator().manual_seed(seed)
B, nl, S, Sl, p, E, depth, heads, K, hid, bott = 3, 3, 12, 8, 4, 16, 1, 4, 24, 10, 6
epoch, nepochs, freeze = 1, 3, opts.freeze_last_layer
clip = 3.0

def net():
    v = vits.VisionTransformer(img_size=[S], patch_size=p, embed_dim=E, depth=depth, num_heads=heads, mlp_ratio=4, qkv_bias=True, norm_layer=lambda d: nn.LayerNorm(d, eps=1e-6), drop_path_rate=0.0, num_classes=0)
    h = vits.DINOHead(E, K, use_bn=False, norm_last_layer=True, nlayers=3, hidden_dim=hid, bottleneck_dim=bott)
    return utils.MultiCropWrapper(v, h).double()

class Wrap(nn.Module):  # the .module of DistributedDataParallel (world size 1)
    def __init__(self, m):
        super().__init__(); self.module = m
    def forward(self, x):
        return self.module(x)

student, teacher = net(), net()
with torch.no_grad():
    for n, q in student.named_parameters():
        if n.endswith('norm1.weight') or n.endswith('norm2.weight') or n.endswith('norm.weight'):
            q.copy_(1 + 0.2 * torch.randn(q.shape, generator=g))
        elif 'cls_token' in n or 'pos_embed' in n:
            q.copy_(0.5 * torch.randn(q.shape, generator=g))
        elif n.endswith('weight_g'):
            q.copy_(0.5 + torch.rand(q.shape, generator=g))
        else:
            q.copy_(torch.randn(q.shape, generator=g) / math.sqrt(max(q.shape[-1], 1)) if q.dim() > 1 else 0.3 * torch.randn(q.shape, generator=g))
    for (n, q), (_, t) in zip(student.named_parameters(), teacher.named_parameters()):
        rms = q.pow(2).mean().sqrt()
        t.copy_(q + 0.1 * rms * torch.randn(q.shape, generator=g))
for t in teacher.parameters():
    t.requires_grad = False
dstudent = Wrap(student)
params_before = {f'student/{n}': q.detach().clone() for n, q in student.state_dict().items()}
params_before.update({f'teacher/{n}': q.detach().clone() for n, q in teacher.state_dict().items()})

dino_loss = main_dino.DINOLoss(K, nl + 2, 0.04, 0.07, 2, nepochs, student_temp=0.1, center_momentum=0.9).double()
dino_loss.center = 0.3 * torch.randn(1, K, generator=g)
params_before['dino_loss/center'] = dino_loss.center.clone()

params_groups = utils.get_params_groups(dstudent)
if opts.optimizer == 'adamw':  # main_dino.py's three choices, as it builds them
    optimizer = torch.optim.AdamW(params_groups)
elif opts.optimizer == 'sgd':
    optimizer = torch.optim.SGD(params_groups, lr=0, momentum=0.9)
else:
    optimizer = utils.LARS(params_groups)
step_before = 5
named = dict(student.named_parameters())
inputs = {}
buffer_name = {'sgd': ('momentum_buffer', 'sgd/momentum_buffer_before'), 'lars': ('mu', 'lars/mu_before')}
for n, q in named.items():
    frozen_with_buffer = opts.frozen_momentum and 'last_layer' in n
    if not q.requires_grad or ('last_layer' in n and not frozen_with_buffer):
        continue
    if opts.optimizer == 'adamw':
        m = 0.01 * torch.randn(q.shape, generator=g); v = 1e-4 * torch.rand(q.shape, generator=g) + 1e-6
        optimizer.state[q] = {'step': torch.tensor(float(step_before)), 'exp_avg': m.clone(), 'exp_avg_sq': v.clone()}
        inputs[f'adamw/exp_avg_before/{n}'] = m; inputs[f'adamw/exp_avg_sq_before/{n}'] = v
    else:
        key, prefix = buffer_name[opts.optimizer]
        buf = 0.01 * torch.randn(q.shape, generator=g)
        optimizer.state[q] = {key: buf.clone()}
        inputs[f'{prefix}/{n}'] = buf

lr_schedule = utils.cosine_scheduler(opts.lr, 1e-4, nepochs, 1, warmup_epochs=1)
wd_schedule = utils.cosine_scheduler(0.05, 0.3, nepochs, 1)
momentum_schedule = utils.cosine_scheduler(0.8, 1, nepochs, 1)
glob = torch.rand(2, B, 3, S, S, generator=g)
loc = torch.rand(nl, B, 3, Sl, Sl, generator=g)
loader = [([glob[0], glob[1]] + [loc[i] for i in range(nl)], torch.zeros(B))]

rec = {}
orig_clip = utils.clip_gradients
def clip_rec(model, c):
    rec['grads'] = {n[len('module.'):]: q.grad.detach().clone() for n, q in model.named_parameters() if q.grad is not None}
    norms = orig_clip(model, c)
    rec['norms'] = norms
    return norms
utils.clip_gradients = clip_rec
orig_step = optimizer.step
def step_rec(*a, **k):
    rec['used'] = {n: q.grad.detach().clone() for n, q in named.items() if q.grad is not None}
    return orig_step(*a, **k)
optimizer.step = step_rec
orig_fwd = dino_loss.forward
def fwd_rec(s, t, e):
    rec['student_output'] = s.detach().clone(); rec['teacher_output'] = t.detach().clone()
    rec['teacher_temp'] = dino_loss.teacher_temp_schedule[e]
    out = orig_fwd(s, t, e); rec['loss'] = out.detach().clone(); return out
dino_loss.forward = fwd_rec
args = types.SimpleNamespace(epochs=nepochs, clip_grad=clip, freeze_last_layer=freeze)
main_dino.train_one_epoch(dstudent, teacher, teacher, dino_loss, loader, optimizer, lr_schedule, wd_schedule, momentum_schedule, epoch, None, args)

def T(x, dtype='float64'):
    x = torch.as_tensor(x)
    return {'shape': list(x.shape), 'dtype': dtype, 'data': [int(v) for v in x.reshape(-1).tolist()] if dtype == 'int64' else x.reshape(-1).tolist()}
it = epoch
out = {
  'source': {'repo': 'facebookresearch/dino', 'commit': '7c446df5b9f45747937fb0d72314eb9f7b66930a', 'file': 'main_dino.py', 'symbol': 'main_dino.train_one_epoch, unmodified, one iteration (test variant made in this project, see README)'},
  'config': {'B': B, 'n_global_crops': 2, 'n_local_crops': nl, 'ncrops': nl + 2, 'global_crop_hw': S, 'local_crop_hw': Sl, 'epoch': epoch, 'it': it,
     'vit': {'img_size': [S], 'patch_size': p, 'embed_dim': E, 'depth': depth, 'num_heads': heads, 'mlp_ratio': 4, 'qkv_bias': True, 'layernorm_eps': 1e-6, 'drop_path_rate': 0.0, 'num_classes': 0},
     'head': {'in_dim': E, 'out_dim': K, 'hidden_dim': hid, 'bottleneck_dim': bott, 'nlayers': 3, 'use_bn': False, 'norm_last_layer': True},
     'dino_loss': {'out_dim': K, 'ncrops': nl + 2, 'warmup_teacher_temp': 0.04, 'teacher_temp': 0.07, 'warmup_teacher_temp_epochs': 2, 'nepochs': nepochs, 'student_temp': 0.1, 'center_momentum': 0.9},
     'clip_grad': clip, 'freeze_last_layer': freeze, 'seed': seed, 'optimizer_flag': opts.optimizer},
  'inputs': {'global_crops': T(glob), 'local_crops': T(loc), 'lr_schedule': T(lr_schedule), 'wd_schedule': T(wd_schedule), 'momentum_schedule': T(momentum_schedule),
     'epoch': T(epoch, 'int64'), 'it': T(it, 'int64'), **({'adamw/step_before': T(step_before, 'int64')} if opts.optimizer == 'adamw' else {}), **{k: T(v) for k, v in inputs.items()}},
  'params': {k: T(v) for k, v in params_before.items()},
  'outputs': {'loss': T(rec['loss']), 'center': T(dino_loss.center),
     **{f'student/{n}': T(q) for n, q in student.state_dict().items()}, **{f'teacher/{n}': T(q) for n, q in teacher.state_dict().items()},
     'debug/student_output': T(rec['student_output']), 'debug/teacher_output': T(rec['teacher_output']), 'debug/teacher_temp': T(rec['teacher_temp']),
     'debug/grad_norms': T(rec['norms']), **{f'debug/grad_used/{n}': T(q) for n, q in rec['used'].items()}},
  'grads': {f'student/{n}': T(q) for n, q in rec['grads'].items()},
}
json.dump(out, open(opts.out, 'w'))
print(opts.optimizer, 'loss', rec['loss'].item(), 'lr', lr_schedule[it], 'wd', wd_schedule[it], 'm', momentum_schedule[it], 'norms', ['%.2f' % x for x in rec['norms']])
