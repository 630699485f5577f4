"""The 3-stage fine-tuning recipe (W8) in PyTorch the usual way, no feature
cache: every step runs the whole network forward. One JSON line.

    .tlx/bench-torch/bin/python bench/torch_recipe.py --n 2000 --test 1000 --epochs 3,2,2

The same recipe as bench/tlxbench/recipe.go: the first n training images of
Fashion-MNIST classes 5..9 in file order, relabelled 0..4, and the first
`test` such images of the test file; each batch resized bilinearly
(align-corners off) to 224x224, mapped to [-1, 1], repeated over three
channels. torchvision's ResNet-18, random weights, five classes. Adam, batch
32, constant rates, a fresh optimizer per stage:

    head: fc alone, the rest frozen and in eval mode (BatchNorm averages), LR 1e-3
    top:  layer4 (1e-4) and fc (1e-3)
    all:  stem, layer1..4, fc at rates geometric from 1e-4 to 1e-3

Wall time covers data preparation and the three stages, not the final
evaluation. 2 threads.

Both sides start from the same weights: `--save-init FILE` writes the
state_dict of torchvision's resnet18(num_classes=5) under seed 1 (its own
initialisers: kaiming fan-out convolutions, BatchNorm 1/0 with averages
0/1) as safetensors and exits; `--init FILE` starts the recipe from it, and
tlxbench's `-init FILE` loads the same file with arch.LoadTorchvisionResNet.
"""
import argparse
import gzip
import json
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

FMNIST = "/usr/share/datasets/fashion-mnist"
CLASSES = (5, 6, 7, 8, 9)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(prefix, n):
    """The first n images of classes 5..9 in file order, labels 0..4."""
    x = read_idx(f"{FMNIST}/{prefix}-images-idx3-ubyte.gz")
    y = read_idx(f"{FMNIST}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    keep = np.nonzero(y >= CLASSES[0])[0][:n]
    if len(keep) < n:
        raise SystemExit(f"torch_recipe: {n} images asked, {prefix} has {len(keep)} of classes 5..9")
    return torch.from_numpy(x[keep].copy()), torch.from_numpy(y[keep] - CLASSES[0])


def images(xb):
    """uint8 28x28 -> float 3x224x224 in [-1, 1]."""
    t = xb.float().div_(255).unsqueeze(1)
    t = F.interpolate(t, size=(224, 224), mode="bilinear", align_corners=False)
    return ((t - 0.5) / 0.5).expand(-1, 3, -1, -1).contiguous()


def save_safetensors(path, state):
    """Writes float32 tensors (num_batches_tracked left out) as safetensors:
    an 8-byte little-endian header length, the JSON header, the raw bytes."""
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        raw = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for raw in blobs:
            f.write(raw)


def load_safetensors(path):
    """Reads what save_safetensors wrote into a state_dict of tensors."""
    with open(path, "rb") as f:
        raw = f.read()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    body = raw[8 + size:]
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"torch_recipe: {path}: tensor {name} is {info['dtype']}, want F32")
        lo, hi = info["data_offsets"]
        state[name] = torch.from_numpy(np.frombuffer(body[lo:hi], dtype=np.float32).copy()).reshape(info["shape"])
    return state


def lrs(lo, hi, n):
    """Geometric rates from lo to hi over n groups (tlx's fit.LRs)."""
    if n == 1:
        return [hi]
    return [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--epochs", default="3,2,2")
    ap.add_argument("--init", help="start weights (safetensors, from --save-init)")
    ap.add_argument("--save-init", help="write seed 1's start weights to this file and exit")
    args = ap.parse_args()
    epochs = [int(e) for e in args.epochs.split(",")]
    torch.set_num_threads(2)
    torch.manual_seed(1)
    if args.save_init:
        save_safetensors(args.save_init, torchvision.models.resnet18(num_classes=len(CLASSES)).state_dict())
        return
    start = time.perf_counter()
    x, y = load("train", args.n)
    xt, yt = load("t10k", args.test)
    model = torchvision.models.resnet18(num_classes=len(CLASSES))
    if args.init:
        missing, unexpected = model.load_state_dict(load_safetensors(args.init), strict=False)
        if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
            raise SystemExit(f"torch_recipe: {args.init}: missing {missing}, unexpected {unexpected}")
    groups = {"stem": [model.conv1, model.bn1], "layer1": [model.layer1], "layer2": [model.layer2],
              "layer3": [model.layer3], "layer4": [model.layer4], "head": [model.fc]}
    plan = [("head", ["head"], epochs[0], 1e-3, 0), ("top", ["layer4", "head"], epochs[1], 1e-3, 1e-4),
            ("all", list(groups), epochs[2], 1e-3, 1e-4)]
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1)
    prep = time.perf_counter() - start
    stages = []
    for name, trained, n_epochs, lr, lr_low in plan:
        t0 = time.perf_counter()
        for p in model.parameters():
            p.requires_grad = False
        model.eval()  # frozen groups keep their BatchNorm averages
        rates = lrs(lr_low, lr, len(trained)) if lr_low > 0 else [lr] * len(trained)
        param_groups = []
        for g, rate in zip(trained, rates):
            params = [p for mod in groups[g] for p in mod.parameters()]
            for mod in groups[g]:
                mod.train()
            for p in params:
                p.requires_grad = True
            param_groups.append({"params": params, "lr": rate})
        opt = torch.optim.Adam(param_groups)
        for _ in range(n_epochs):
            perm = torch.randperm(len(y), generator=gen)
            for i in range(0, len(y), 32):
                idx = perm[i:i + 32]
                opt.zero_grad()
                loss_fn(model(images(x[idx])), y[idx]).backward()
                opt.step()
        stages.append(f"{name} {time.perf_counter() - t0:.0f}s")
    wall = time.perf_counter() - start
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(yt), 64):
            correct += (model(images(xt[i:i + 64])).argmax(1) == yt[i:i + 64]).sum().item()
    print(json.dumps({"side": "pytorch", "workload": "W8", "backend": f"torch {torch.__version__} cpu x2",
                      "wall_s": wall, "accuracy": correct / len(yt),
                      "extra": f"data {prep:.0f}s, " + ", ".join(stages),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
