#!/usr/bin/python3
"""The PyTorch side of tests/app/test_torch_interop.cpp, on bench/peer/vit_peer.py's ViT.

  make DIR ARCH...      a seeded ViT, trained a few steps: DIR/vit.pt (model.state_dict(), an
                        OrderedDict, as users save it), DIR/images.npy and DIR/logits.csv
  predict PT NPY CSV ARCH...
                        loads a state dict (strictly, adapters included) and writes the logits
                        of the images
ARCH is image_size channels patch dim depth heads mlp classes. Needs Debian's python3-torch.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench", "peer"))
from vit_peer import Adapter, ViT  # noqa: E402


def build(arch, state=None):
    image_size, channels, patch, dim, depth, heads, mlp, classes = arch
    model = ViT(image_size, channels, patch, dim, depth, heads, mlp, classes)
    if state is not None:
        for name in state:
            if name.startswith("adapters.") and name.endswith(".down.weight"):
                k = name.split(".")[1]
                model.adapters[k] = Adapter(dim, state[name].shape[0])
        model.load_state_dict(state, strict=True)
    return model.eval()


def write_logits(path, logits):
    np.savetxt(path, logits.detach().numpy(), delimiter=",", fmt="%.9g")


def main():
    torch.manual_seed(5)
    if sys.argv[1] == "make":
        out, arch = sys.argv[2], [int(a) for a in sys.argv[3:11]]
        model = build(arch)
        images = torch.randint(0, 256, (16, arch[1], arch[0], arch[0]), dtype=torch.uint8)
        labels = torch.randint(0, arch[7], (16,))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        model.train()
        for _ in range(20):
            loss = F.cross_entropy(model(images.float() / 255.0), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        torch.save(model.state_dict(), os.path.join(out, "vit.pt"))
        np.save(os.path.join(out, "images.npy"), images.numpy())
        with torch.no_grad():
            write_logits(os.path.join(out, "logits.csv"), model(images.float() / 255.0))
    elif sys.argv[1] == "predict":
        state, npy, csv, arch = sys.argv[2], sys.argv[3], sys.argv[4], [int(a) for a in sys.argv[5:13]]
        model = build(arch, torch.load(state))
        images = torch.from_numpy(np.load(npy)).float() / 255.0
        with torch.no_grad():
            write_logits(csv, model(images))
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")


if __name__ == "__main__":
    main()
