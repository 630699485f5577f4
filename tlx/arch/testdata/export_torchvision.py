"""Exports a torchvision ResNet-18 and MobileNetV2 (random weights, seed 0, eval mode) for tlx's fidelity tests.

    /usr/bin/python3 export_torchvision.py OUT_DIR

MobileNetV2: OUT_DIR/mobilenet_v2.safetensors (torchvision names), OUT_DIR/mobilenet_v2_timm.safetensors
(the same weights under timm's mobilenetv2_100 names) and OUT_DIR/mobilenet_io.safetensors.

Writes OUT_DIR/resnet18.safetensors (the state_dict, torchvision names, NCHW/OIHW as PyTorch stores them),
OUT_DIR/io.safetensors ("input" NHWC [4,64,64,3], "logits" [4,10] in eval mode, "labels" [4]) and
OUT_DIR/step.safetensors (the state_dict after one SGD step, lr 0.01, on that batch in train mode,
computed in float64) and two files that bound how far a float32 implementation may honestly be from it:
OUT_DIR/step_eps.safetensors (per parameter, filled with PyTorch's own float32-vs-float64 difference after
the step, max over the tensor) and OUT_DIR/step_flips.safetensors (per element, the sum over ambiguous
kinks of how much the step moves when that kink goes the other way; see flip_bounds). The safetensors
format is written by hand: the Python package is not installed here.
"""
import copy
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..", "testdata"))
from torch_helpers import randomise_bn, save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


STAGE_REPEATS = [1, 2, 3, 4, 3, 3, 1]


def timm_name(name):
    """torchvision MobileNetV2 parameter name -> timm mobilenetv2_100 name."""
    parts = name.split(".")
    if parts[0] == "classifier":
        return "classifier." + parts[2]
    k = int(parts[1])
    if k == 0:
        return ("conv_stem." if parts[2] == "0" else "bn1.") + parts[3]
    if k == 18:
        return ("conv_head." if parts[2] == "0" else "bn2.") + parts[3]
    stage, first = 0, 1
    while k >= first + STAGE_REPEATS[stage]:
        first += STAGE_REPEATS[stage]
        stage += 1
    rest = ".".join(parts[3:])
    if stage == 0:
        layer = {"0.0": "conv_dw", "0.1": "bn1", "1": "conv_pw", "2": "bn2"}
    else:
        layer = {"0.0": "conv_pw", "0.1": "bn1", "1.0": "conv_dw", "1.1": "bn2", "2": "conv_pwl", "3": "bn3"}
    for key, new in layer.items():
        if rest.startswith(key + "."):
            return f"blocks.{stage}.{k - first}.{new}.{rest[len(key) + 1:]}"
    raise ValueError(name)


def export_mobilenet(out):
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(num_classes=10)
    randomise_bn(model)
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/mobilenet_v2.safetensors", state)
    save_safetensors(f"{out}/mobilenet_v2_timm.safetensors", {timm_name(k): v for k, v in state.items()})
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{out}/mobilenet_io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits})


LR = 0.01


def sgd_step(model, x, labels, dtype, perturb=None):
    """One SGD step (lr LR, train mode) on a copy of model in dtype. Returns the state_dict after it
    (parameters stepped; BatchNorm running statistics updated) and the inputs of every ReLU and
    max-pool call in order, as (module name, call index, float64 tensor). perturb=(name, call, fn)
    replaces the input of that call by fn(input) first."""
    m = copy.deepcopy(model).to(dtype)
    calls, seen = [], {}
    for name, mod in m.named_modules():
        if isinstance(mod, torch.nn.ReLU):
            mod.inplace = False
        if isinstance(mod, (torch.nn.ReLU, torch.nn.MaxPool2d)):
            def pre(mod, inp, name=name):
                i = seen.get(name, 0)
                seen[name] = i + 1
                a = inp[0]
                if perturb is not None and perturb[:2] == (name, i):
                    a = perturb[2](a)
                calls.append((name, i, a.detach().double()))
                return (a,)
            mod.register_forward_pre_hook(pre)
    m.train()
    m.zero_grad()
    torch.nn.functional.cross_entropy(m(x.to(dtype)), labels).backward()
    with torch.no_grad():
        for p in m.parameters():
            p -= LR * p.grad
    return {k: v.double() for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}, calls


def step32_kinks(model, x, labels):
    return sgd_step(model, x, labels, torch.float32)[1]


def flip_bounds(model, x, labels, step64, kinks64, kinks32):
    """The step's gradient is discontinuous at ReLU kinks (an input at 0) and max-pool ties (two maxima of a
    window): an input closer to one than float32's rounding error may fall on either side in a float32
    implementation, and which side it falls on moves the step by a whole element's gradient, far more than
    rounding does. An input is ambiguous when it is within twice PyTorch's own float32-vs-float64
    difference of that tensor. For each ambiguous one the step is recomputed in float64 with it mirrored
    to the other side; the result is, per parameter element, the sum of |step moved| over them."""
    bounds = {k: torch.zeros_like(v) for k, v in step64.items()}
    modules = dict(model.named_modules())
    for (name, call, a64), (_, _, a32) in zip(kinks64, kinks32):
        margin = 2 * (a32 - a64).abs().max().item()
        flips = []
        mod = modules[name]
        if isinstance(mod, torch.nn.MaxPool2d):  # k x k, stride s, padding p: swap the two largest of each near-tied window
            k, st, pd = (v if isinstance(v, int) else v[0] for v in (mod.kernel_size, mod.stride, mod.padding))
            n, c, h, w = a64.shape
            padded = torch.nn.functional.pad(a64, (pd, pd, pd, pd), value=-float("inf"))
            windows = padded.unfold(2, k, st).unfold(3, k, st)
            windows = windows.reshape(*windows.shape[:4], k * k)
            top = windows.topk(2, dim=-1)
            gap = top.values[..., 0] - top.values[..., 1]
            # A window whose maximum is 0 (all inputs <= 0 before the ReLU) passes no gradient either way.
            for idx in ((gap < margin) & (top.values[..., 0] > 0)).nonzero().tolist():
                b, ch, oh, ow = idx
                p2, v1 = top.indices[b, ch, oh, ow, 1].item(), top.values[b, ch, oh, ow, 0].item()
                pos = (b, ch, st * oh + p2 // k - pd, st * ow + p2 % k - pd)
                flips.append((pos, 2 * v1 - top.values[b, ch, oh, ow, 1].item()))
        else:
            for pos in (a64.abs() < margin).nonzero().tolist():
                flips.append((tuple(pos), -a64[tuple(pos)].item()))
        for pos, value in flips:
            def mirror(a, pos=pos, value=value):
                shift = torch.zeros_like(a)  # added, so that the gradient still flows to the input
                shift[pos] = value - a[pos].item()
                return a + shift
            flipped, _ = sgd_step(model, x, labels, torch.float64, (name, call, mirror))
            for k in bounds:
                bounds[k] += (flipped[k] - step64[k]).abs()
    return bounds


def main():
    out = sys.argv[1]
    export_mobilenet(out)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    randomise_bn(model)  # non-trivial statistics, so that inference mode is tested
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/resnet18.safetensors", state)
    x = torch.rand(4, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    labels = torch.tensor([1, 7, 3, 9])
    save_safetensors(f"{out}/io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits, "labels": labels.to(torch.float32)})
    step32, _ = sgd_step(model, x, labels, torch.float32)
    step64, kinks = sgd_step(model, x, labels, torch.float64)
    save_safetensors(f"{out}/step.safetensors", step64)
    eps = {k: torch.full_like(v, (step32[k].double() - v).abs().max().item()) for k, v in step64.items()}
    save_safetensors(f"{out}/step_eps.safetensors", eps)
    save_safetensors(f"{out}/step_flips.safetensors", flip_bounds(model, x, labels, step64, kinks, step32_kinks(model, x, labels)))


if __name__ == "__main__":
    main()
