#!/usr/bin/env python3
"""PyTorch eager baseline for bench_model: the same Glow (../../../shared/docs/method.md §1-3),
written the way a PyTorch user writes it (rosinality/glow-pytorch style, with the method's
conventions): nn.Modules, an ActNorm before the 1x1 conv, the LU weight rebuilt in every forward,
in-place ReLUs, scoring under torch.no_grad().

Prints the same RESULT lines as bench_model so that run_model_bench.sh can form ratios:
    RESULT <impl> <config> <metric> <value>
Run with the bench venv's python (tests/bench/setup_baseline.sh): the same torch as hierad's LibTorch.
"""
import argparse
import contextlib
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)


class ActNorm(nn.Module):
    def __init__(self, channels, spatial_dims=2, eps=0.0):
        super().__init__()
        shape = (1, channels) + (1,) * spatial_dims
        self.loc = nn.Parameter(torch.zeros(shape))
        self.log_scale = nn.Parameter(torch.zeros(shape))
        self.eps = eps
        self.register_buffer("initialized", torch.tensor(0, dtype=torch.uint8))

    @torch.no_grad()
    def initialize(self, x):
        dims = [0] + list(range(2, x.dim()))
        self.loc.data.copy_(-x.mean(dims, keepdim=True))
        self.log_scale.data.copy_(-x.std(dims, keepdim=True, unbiased=False).clamp_min(1e-6).log())
        self.initialized.fill_(1)

    def forward(self, x):
        if self.initialized.item() == 0:
            self.initialize(x)
        scale = self.log_scale.exp() + self.eps
        per_channel = x[0, 0].numel()
        logdet = per_channel * scale.log().sum()
        return scale * (x + self.loc), logdet.expand(x.shape[0])

    def reverse(self, y):
        return y / (self.log_scale.exp() + self.eps) - self.loc


class InvConv2dLU(nn.Module):
    def __init__(self, c):
        super().__init__()
        q, _ = torch.linalg.qr(torch.randn(c, c, dtype=torch.float64))
        p, l, u = torch.linalg.lu(q)
        s = torch.diag(u)
        self.register_buffer("w_p", p.float())
        self.register_buffer("s_sign", torch.sign(s).float())
        self.register_buffer("l_mask", torch.tril(torch.ones(c, c), -1))
        self.register_buffer("u_mask", torch.triu(torch.ones(c, c), 1))
        self.register_buffer("eye", torch.eye(c))
        self.w_l = nn.Parameter(torch.tril(l, -1).float())
        self.w_u = nn.Parameter(torch.triu(u, 1).float())
        self.w_s = nn.Parameter(torch.log(torch.abs(s)).float())

    def calc_weight(self):
        w = self.w_p @ (self.w_l * self.l_mask + self.eye) @ (
            self.w_u * self.u_mask + torch.diag(self.s_sign * torch.exp(self.w_s)))
        return w.unsqueeze(2).unsqueeze(3)

    def forward(self, x):
        _, _, h, w = x.shape
        return F.conv2d(x, self.calc_weight()), (h * w * self.w_s.sum()).expand(x.shape[0])


class ZeroConv2d(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.conv.weight.data.zero_()
        self.conv.bias.data.zero_()
        self.logs = nn.Parameter(torch.zeros(1, cout, 1, 1))

    def forward(self, x):
        return self.conv(x) * torch.exp(self.logs * 3)


class AffineCoupling(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        conv1 = nn.Conv2d(c // 2, hidden, 3, padding=1, bias=False)
        conv2 = nn.Conv2d(hidden, hidden, 1, bias=False)
        conv1.weight.data.normal_(0, 0.05)
        conv2.weight.data.normal_(0, 0.05)
        self.net = nn.Sequential(conv1, ActNormSeq(hidden), nn.ReLU(inplace=True),
                                 conv2, ActNormSeq(hidden), nn.ReLU(inplace=True),
                                 ZeroConv2d(hidden, c))

    def forward(self, x):
        in_a, in_b = x.chunk(2, 1)
        o = self.net(in_a)
        t, r = o[:, 0::2], o[:, 1::2]
        s = torch.sigmoid(r + 2)
        out_b = (in_b + t) * s
        logdet = torch.log(s).flatten(1).sum(1)
        return torch.cat([in_a, out_b], 1), logdet


class ActNormSeq(ActNorm):
    """ActNorm inside nn.Sequential: output only (its log-det is not part of the flow)."""

    def forward(self, x):
        return super().forward(x)[0]


class Flow(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.actnorm = ActNorm(c)
        self.invconv = InvConv2dLU(c)
        self.coupling = AffineCoupling(c, hidden)

    def forward(self, x):
        x, ld0 = self.actnorm(x)
        x, ld1 = self.invconv(x)
        x, ld2 = self.coupling(x)
        return x, ld0 + ld1 + ld2


def squeeze2d(x):
    n, c, h, w = x.shape
    x = x.view(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * 4, h // 2, w // 2)


class Block(nn.Module):
    def __init__(self, cin, size, steps, hidden, last):
        super().__init__()
        c = cin * 4
        self.flows = nn.ModuleList([Flow(c, hidden) for _ in range(steps)])
        self.last = last
        leaving = (c if last else c // 2) * (size // 2) ** 2
        self.prior = ActNorm(leaving, spatial_dims=0, eps=1e-8)

    def forward(self, x):
        x = squeeze2d(x)
        flow_logdet = 0
        for flow in self.flows:
            x, ld = flow(x)
            flow_logdet = flow_logdet + ld
        if self.last:
            leaving, nxt = x, None
        else:
            leaving, nxt = x.chunk(2, 1)
        z, prior_logdet = self.prior(leaving.flatten(1))
        gauss = (-0.5 * (z ** 2 + LOG_2PI)).sum(1)
        return nxt, flow_logdet, prior_logdet, gauss


class Glow(nn.Module):
    def __init__(self, in_channels=3, size=32, scales=3, steps=32, hidden=512):
        super().__init__()
        self.blocks = nn.ModuleList()
        c = in_channels
        for k in range(scales):
            self.blocks.append(Block(c, size, steps, hidden, k == scales - 1))
            c *= 2
            size //= 2
        self.dims = None

    def forward(self, x):
        d = x[0].numel()
        fs, as_, gs = [], [], []
        h = x
        for block in self.blocks:
            h, f, a, g = block(h)
            fs.append(f)
            as_.append(a)
            gs.append(g)
        lp = torch.stack(fs, 1) + torch.stack(as_, 1) + torch.stack(gs, 1)
        log_p = lp.sum(1)
        bpd = 8 - log_p / (d * math.log(2))
        return {"scale_logp": lp, "log_p": log_p, "bpd": bpd}


CONFIGS = {"cpu": dict(scales=3, steps=8, hidden=128), "default": dict(scales=3, steps=32, hidden=512)}


def images(n, generator):
    pixels = torch.randint(0, 256, (n, 3, 32, 32), generator=generator).float()
    return pixels / 256 - 0.5 + torch.rand(n, 3, 32, 32, generator=generator) / 256


def timed(fn, warmup, iters, sync):
    """(wall seconds, process CPU seconds) per call, after `warmup` untimed calls; `sync` waits for
    the device before the clock is read (CUDA calls only enqueue)."""
    for _ in range(warmup):
        fn()
    sync()
    start, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(iters):
        fn()
    sync()
    return (time.perf_counter() - start) / iters, (time.process_time() - cpu0) / iters


def set_precision(precision, device):
    """fp32: no TF32 anywhere; tf32: TF32 convolutions and matmuls (CUDA only); bf16: autocast to
    bfloat16, the way a PyTorch user asks for it (hierad casts only the coupling networks)."""
    tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    if precision == "bf16":
        return lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", choices=sorted(CONFIGS), default="cpu")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    ap.add_argument("--precision", choices=("fp32", "tf32", "bf16"), default="fp32")
    ap.add_argument("--profile", action="store_true", help="print a torch.profiler table per phase")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    autocast = set_precision(args.precision, device)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = Glow(**CONFIGS[args.config]).to(device)
    with torch.no_grad():
        model(images(args.batch, gen).to(device))  # data-dependent init on the first batch, in fp32
    x = images(args.batch, gen).to(device)

    def train_step():
        model.zero_grad(set_to_none=True)
        with autocast():
            bpd = model(x)["bpd"].mean()
        bpd.backward()

    def score():
        with torch.no_grad(), autocast():
            return model(x)["bpd"]

    with torch.no_grad(), autocast():
        bpd = model(x)["bpd"].float().mean().item()
    t_train = timed(train_step, args.warmup, args.iters, sync)
    t_score = timed(score, args.warmup, args.iters, sync)
    if device.type == "cuda":
        print(f"RESULT eager {args.config} peak_mem_gib {torch.cuda.max_memory_allocated(device) / 2**30:.2f}")
    tag = f"eager {args.config}"
    print(f"RESULT {tag} threads {torch.get_num_threads()}")
    print(f"RESULT {tag} bpd {bpd:.4f}")
    print(f"RESULT {tag} train_img_s {args.batch / t_train[0]:.2f}")
    print(f"RESULT {tag} score_img_s {args.batch / t_score[0]:.2f}")
    print(f"RESULT {tag} train_img_cpu_s {args.batch / t_train[1]:.2f}")
    print(f"RESULT {tag} score_img_cpu_s {args.batch / t_score[1]:.2f}")
    if args.profile:
        from torch.profiler import profile, ProfilerActivity
        for name, fn in (("train", train_step), ("score", score)):
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                fn()
            print(f"--- eager {name} ---")
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=18))


if __name__ == "__main__":
    main()
