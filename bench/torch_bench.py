"""PyTorch CPU baseline for tlx's benchmark: one workload, one JSON line.

    /usr/bin/python3 bench/torch_bench.py W1b 20

Same shapes as bench/tlxbench: W1 small CNN 28x28x1 batch 64 (a: forward,
b: train step with Adam, c: head-only train step), W2 ResNet-18 64x64x3
batch 32 (a: forward, b: train step), W3 MLP 784-512-256-10 batch 256 train,
and at 224x224x3, batch 32, torchvision's ResNet-18 (W6) and MobileNetV2
(W7) with random weights: a forward, b train step of the whole network,
c train step of the top block + head (ResNet-18: layer4 and fc;
MobileNetV2: features[17:] and the classifier; the rest frozen and in eval
mode, as tlx's BatchNorm rule for frozen groups).
Runs on Debian's python3-torch 1.13 (/usr/bin/python3) or on PyPI's torch
2.15 (.tlx/bench-torch/bin/python, bench/torch-env.sh), 2 threads.
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torchvision

torch.set_num_threads(2)
torch.manual_seed(1)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def spec(w):
    if w in ("W1a", "W1b", "W1c"):
        return cnn(), (64, 1, 28, 28), {"W1a": "forward", "W1b": "train", "W1c": "head"}[w]
    if w in ("W2a", "W2b"):
        return torchvision.models.resnet18(num_classes=10), (32, 3, 64, 64), {"W2a": "forward", "W2b": "train"}[w]
    if w in ("W6a", "W6b", "W6c"):
        return torchvision.models.resnet18(num_classes=10), (32, 3, 224, 224), {"a": "forward", "b": "train", "c": "top"}[w[-1]]
    if w in ("W7a", "W7b", "W7c"):
        return torchvision.models.mobilenet_v2(num_classes=10), (32, 3, 224, 224), {"a": "forward", "b": "train", "c": "top"}[w[-1]]
    if w == "W3":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)), (256, 784), "train"
    raise SystemExit(f"unknown workload {w}")


def top(model):
    """The top block + head of a torchvision ResNet or MobileNetV2."""
    if hasattr(model, "layer4"):
        return [model.layer4, model.fc]
    return [model.features[17], model.features[18], model.classifier]


def main():
    w, iters = sys.argv[1], int(sys.argv[2])
    model, shape, mode = spec(w)
    device = os.environ.get("TLX_TORCH_DEVICE", "cpu")  # bench/gpu.sh sets cuda
    model = model.to(device)
    x = torch.rand(*shape, device=device)
    y = torch.randint(0, 10, (shape[0],), device=device)
    def sync():
        if device != "cpu":
            torch.cuda.synchronize()

    if mode == "head":
        for p in model.parameters():
            p.requires_grad = False
        for p in model[-1].parameters():
            p.requires_grad = True
    if mode == "top":
        for p in model.parameters():
            p.requires_grad = False
        for mod in top(model):
            for p in mod.parameters():
                p.requires_grad = True
    if mode == "forward":
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
            sync()
    else:
        model.train()
        if mode == "top":  # frozen BatchNorm keeps its averages
            model.eval()
            for mod in top(model):
                mod.train()
        opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
            sync()

    t = time.perf_counter()
    step()
    first = time.perf_counter() - t
    step()
    times = []
    for _ in range(iters):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps({"side": "pytorch", "workload": w, "backend": f"torch {torch.__version__} {device}" + (" x2" if device == "cpu" else ""),
                      "img_per_s": shape[0] / med, "first_step_s": first,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
