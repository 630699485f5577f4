"""PyTorch side of the ResNet-18 load benchmark (random weights; no download).

    /usr/bin/python3 torch_load.py OUT_DIR

Exports torchvision resnet18 (1000 classes, eval) to OUT_DIR/resnet18.onnx (opset 13) and
OUT_DIR/resnet18.safetensors, saves OUT_DIR/resnet18.pt, then prints one JSON line: seconds to build
the model and load the state_dict from resnet18.pt (median of 5), and to run one 224x224 image.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..", "testdata"))
from torch_helpers import save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = torchvision.models.resnet18().eval()
    x = torch.rand(1, 3, 224, 224)
    torch.onnx.export(model, x, f"{out}/resnet18.onnx", opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/resnet18.safetensors", state)
    torch.save(model.state_dict(), f"{out}/resnet18.pt")
    loads, firsts = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        m = torchvision.models.resnet18()
        m.load_state_dict(torch.load(f"{out}/resnet18.pt"))
        m.eval()
        t1 = time.perf_counter()
        with torch.no_grad():
            m(x)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        firsts.append(t2 - t1)
    print(json.dumps({"load_s": statistics.median(loads), "first_s": statistics.median(firsts)}))


if __name__ == "__main__":
    main()
