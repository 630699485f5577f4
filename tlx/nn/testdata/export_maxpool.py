"""Exports PyTorch's max_pool2d on inputs full of tied maxima, with its gradient, for tlx's max-pool test.

    /usr/bin/python3 export_maxpool.py OUT_DIR

Writes OUT_DIR/maxpool_ties.safetensors: "input" NHWC [2,8,8,3] of small integers (most windows hold tied
maxima, some are all zero as after a ReLU), "cotangent2" and "cotangent3" (random upstream gradients, NHWC),
and for k×k windows of stride s ("2": 2×2/2, "3": 3×3/2 padding 1, ResNet's stem pool) "output<k>" and
"grad<k>" = d sum(max_pool2d(x) * cotangent) / dx, all NHWC. PyTorch routes each window's gradient to one
element, its first maximum in row-major order.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..", "testdata"))
from torch_helpers import save_safetensors  # noqa: E402

import torch  # noqa: E402


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    x = torch.randint(0, 3, (2, 3, 8, 8)).to(torch.float64)
    x[0, 0, :4, :4] = 0  # all-zero windows
    tensors = {"input": x.permute(0, 2, 3, 1)}
    for k, pad in ((2, 0), (3, 1)):
        xr = x.clone().requires_grad_(True)
        y = torch.nn.functional.max_pool2d(xr, k, 2, pad)
        r = torch.randn_like(y)
        (y * r).sum().backward()
        tensors[f"cotangent{k}"] = r.permute(0, 2, 3, 1)
        tensors[f"output{k}"] = y.detach().permute(0, 2, 3, 1)
        tensors[f"grad{k}"] = xr.grad.permute(0, 2, 3, 1)
    save_safetensors(f"{out}/maxpool_ties.safetensors", tensors)


if __name__ == "__main__":
    main()
