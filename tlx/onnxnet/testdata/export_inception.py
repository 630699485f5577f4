"""Exports torchvision's GoogLeNet (random weights, opset 13) as the oracle for cutting Inception modules by structure.

    /usr/bin/python3 export_inception.py OUT_DIR

writes OUT_DIR/googlenet.onnx (eval mode, 64x64 input, no auxiliary heads) and OUT_DIR/googlenet_io.safetensors
("input" NCHW, "logits", "labels").
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..", "testdata"))
from torch_helpers import randomise_bn, save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    model = torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=True)
    randomise_bn(model)
    model.eval()
    x = torch.rand(2, 3, 64, 64)
    torch.onnx.export(model, x[:1], f"{out}/googlenet.onnx", opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{out}/googlenet_io.safetensors",
                     {"input": x, "logits": logits, "labels": torch.zeros(2, dtype=torch.float32)})


if __name__ == "__main__":
    main()
