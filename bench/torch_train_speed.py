#!/usr/bin/env python3
"""Training images/s of Debian's python3-torch on the same architecture as the studio.

  python3 bench/torch_train_speed.py <model.json> <batch> <steps>

Builds the network from the tfjs model.json with tools/zoo/tfjs_graph.py (the trainer's own
interpreter, so both sides run the same topology), trains on random data with SGD on all CPU
threads, and prints one JSON line: {"imagesPerSecond": ..., "threads": ..., "torch": ...}.
"""
import json
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "zoo"))
from tfjs_graph import TfjsGraph  # noqa: E402


def main():
    path, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    model = TfjsGraph(json.loads(Path(path).read_text()))
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.05)
    h, w, c = model.shapes["input"]
    x = torch.randn(batch, c, h, w).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for i in range(steps + 1):
        if i == 1:
            t0 = time.time()  # the first step is a warm-up
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    dt = time.time() - t0
    print(json.dumps({"imagesPerSecond": batch * steps / dt, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
