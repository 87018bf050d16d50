#!/usr/bin/env python3
"""Trains the zoo's baselines with Debian's python3-torch and writes them in tfjs format.

  npm run zoo:export            # writes tools/zoo/build/<id>/model.json from the tfjs builders
  npm run zoo:train [-- ids]    # trains (resumable), writes public/models/<id>/ and index.json

Why PyTorch: tfjs trains at 3-10 images/s on this 2-core CPU; torch trains the same networks at
~650-2500 images/s (see shared/notes/browser-runtimes.md). The network is built from the tfjs
model.json (tfjs_graph.py), initialised from the tfjs initial weights, and exported back in the
manifest order, so the studio loads exactly what was trained.
"""
import argparse
import contextlib
import fcntl
import gzip
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from tfjs_graph import TfjsGraph, dump_weights, load_weights, manifest_entries  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = 20251126
REFERENCE_LOGITS = 64
# Mid-epoch checkpoints: the big CPU baselines take 50-100 minutes an epoch, and a session that
# ends mid-epoch should lose at most this many steps.
CHECKPOINT_STEPS = int(os.environ.get("ZOO_CHECKPOINT_STEPS", "40"))
# tfjs fetches shards of at most this size; the big baselines stay under it so a git host or a
# static server never sees one huge file.
SHARD_BYTES = 4 * 1024 * 1024


def read_gz(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def load_dataset(data_dir, ds):
    """Returns (train_x uint8 NCHW, train_y, test_x, test_y) from the prepared official files."""
    d = Path(data_dir) / ds
    if ds in ("mnist", "fashion-mnist"):
        def idx(name, header):
            raw = read_gz(d / name)
            return np.frombuffer(raw, dtype=np.uint8, offset=header)
        tx = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
        ty = idx("train-labels-idx1-ubyte.gz", 8)
        vx = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
        vy = idx("t10k-labels-idx1-ubyte.gz", 8)
        return tx, ty, vx, vy
    if ds == "cifar10":
        def batch(name):
            raw = np.frombuffer(read_gz(d / name), dtype=np.uint8).reshape(-1, 3073)
            return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].copy()
        parts = [batch(f"data_batch_{i}.bin.gz") for i in range(1, 6)]
        tx = np.concatenate([p[0] for p in parts])
        ty = np.concatenate([p[1] for p in parts])
        vx, vy = batch("test_batch.bin.gz")
        return tx, ty, vx, vy
    if ds == "cifar100":
        # Official binary version: 1 coarse + 1 fine label byte per record; the studio uses fine.
        def split(name):
            path = d / name
            if not path.exists():
                sys.exit(f"CIFAR-100: {path} is missing. `npm run prepare-data` puts it there from "
                         "../shared/datasets/cifar-100 or the official cifar-100-binary.tar.gz.")
            raw = np.frombuffer(read_gz(path), dtype=np.uint8).reshape(-1, 3074)
            return raw[:, 2:].reshape(-1, 3, 32, 32), raw[:, 1].copy()
        tx, ty = split("train.bin.gz")
        vx, vy = split("test.bin.gz")
        return tx, ty, vx, vy
    raise ValueError(f"dataset {ds} not supported by the trainer")


def preprocess(x_uint8, prep):
    x = x_uint8.float()
    if prep["kind"] == "scale":
        return x * float(np.float32(prep["scale"]))
    mean = torch.tensor(prep["mean"], dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    std = torch.tensor(prep["std"], dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    return (x - mean) / std


def augment(xb, mode, gen):
    """xb: uint8 NCHW batch. Random 4-pixel-padded crop and/or horizontal flip.

    The random draws come from the CPU generator `gen` whatever the device, so a run on CUDA sees
    the same augmentations as one on the CPU; the crop is one gather, not a per-image loop, so it
    does not starve a GPU.
    """
    if mode == "none":
        return xb
    n, c, h, w = xb.shape
    dev = xb.device
    if "flip" in mode:
        flip = (torch.rand(n, generator=gen) < 0.5).to(dev)
        xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
    if "crop" in mode:
        padded = F.pad(xb, (4, 4, 4, 4))
        offs = torch.randint(0, 9, (n, 2), generator=gen).to(dev)
        rows = (offs[:, 0:1] + torch.arange(h, device=dev)).view(n, 1, h, 1).expand(n, c, h, padded.shape[3])
        cols = (offs[:, 1:2] + torch.arange(w, device=dev)).view(n, 1, 1, w).expand(n, c, h, w)
        xb = padded.gather(2, rows).gather(3, cols)
    return xb


def evaluate(model, x, y, prep, batch=500):
    model.eval()
    logits = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits.append(model(preprocess(x[i:i + batch], prep)))
    logits = torch.cat(logits)
    acc = (logits.argmax(1) == y).float().mean().item()
    return acc, logits


def train_one(spec, args):
    bid = spec["id"]
    build = HERE / "build" / bid
    if not (build / "model.json").exists():
        sys.exit(f"{build}/model.json is missing: run `npm run zoo:export` first")
    model_json = json.loads((build / "model.json").read_text())
    meta = json.loads((build / "meta.json").read_text())
    model = TfjsGraph(model_json)
    load_weights(model, model_json, (build / "weights.bin").read_bytes())

    run_dir = HERE / "runs" / bid
    run_dir.mkdir(parents=True, exist_ok=True)
    log = open(run_dir / "train.log", "a")

    def say(msg):
        line = f"[{time.strftime('%H:%M:%S')}] {bid}: {msg}"
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    dev = torch.device(args.device)
    model.to(dev)
    tx, ty, vx, vy = load_dataset(args.data, spec["dataset"])
    if args.train_limit:
        tx, ty = tx[:args.train_limit], ty[:args.train_limit]
    tx, ty = torch.from_numpy(tx.copy()).to(dev), torch.from_numpy(ty.astype(np.int64)).to(dev)
    vx, vy = torch.from_numpy(vx.copy()), torch.from_numpy(vy.astype(np.int64))
    first, count = meta["headlineTest"]["first"], meta["headlineTest"]["count"]
    vx, vy = vx[first:first + count].to(dev), vy[first:first + count].to(dev)
    prep = meta["preprocessing"]

    decay, no_decay = [], []
    for k, p in model.params_.items():
        (decay if k.endswith("kernel") else no_decay).append(p)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=spec["lr"], momentum=0.9, nesterov=True)
    epochs, batch = spec["epochs"], spec["batch"]
    steps_per_epoch = math.ceil(len(tx) / batch)
    total = epochs * steps_per_epoch
    warm = steps_per_epoch

    def lr_at(step):
        if step < warm:
            return spec["lr"] * (step + 1) / warm
        return 0.5 * spec["lr"] * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    start_epoch, start_step, schedule_changes = 0, 0, []
    ckpt = run_dir / "ckpt.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location=dev)
        old = state.get("spec", {})
        # A run may be shortened or lengthened (a CPU run that would not finish in time): only the
        # epoch count may differ, the cosine schedule follows the new count from where the run is,
        # and the change is recorded with the model.
        same_but_epochs = {k: v for k, v in old.items() if k != "epochs"} == {k: v for k, v in spec.items() if k != "epochs"}
        if old == spec or same_but_epochs:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            start_epoch, start_step = state["epoch"], state.get("step", 0)
            schedule_changes = state.get("scheduleChanges", [])
            if old != spec:
                schedule_changes = schedule_changes + [f"epochs {old['epochs']} -> {spec['epochs']} at epoch {start_epoch + 1}, step {start_step}"]
                say(f"recipe changed: {schedule_changes[-1]}")
            say(f"resuming at epoch {start_epoch + 1}, step {start_step}" if start_step else f"resuming after epoch {start_epoch}")
    if args.export_only:
        if not ckpt.exists():
            sys.exit(f"{ckpt} is missing: nothing to export")
        partial = start_step > 0
        model.cpu()
        export(spec, meta, model, model_json, vx.cpu(), vy.cpu(), prep, (first, count), args,
               epochs_done=start_epoch + (start_step / steps_per_epoch if partial else 0), schedule_changes=schedule_changes)
        return
    autocast = (torch.autocast(device_type=dev.type, dtype=torch.bfloat16) if args.bf16
                else contextlib.nullcontext())
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(start_epoch):  # keep the data order identical whether resumed or not
        torch.randperm(len(tx), generator=gen)

    for epoch in range(start_epoch, epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(tx), generator=gen)
        aug_gen = torch.Generator().manual_seed(SEED + epoch)
        first_step = start_step if epoch == start_epoch else 0
        for s in range(first_step):  # replay the skipped steps' augmentation draws
            augment_draws(len(perm[s * batch:(s + 1) * batch]), spec["augment"], aug_gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for s in range(first_step, steps_per_epoch):
            idx = perm[s * batch:(s + 1) * batch].to(dev)
            # channels_last makes oneDNN's CPU convolutions ~1.3-1.5x faster here.
            xb = preprocess(augment(tx[idx], spec["augment"], aug_gen), prep).contiguous(memory_format=torch.channels_last)
            yb = ty[idx]
            for g in opt.param_groups:
                g["lr"] = lr_at(epoch * steps_per_epoch + s)
            with autocast:
                out = model(xb)
                loss = F.cross_entropy(out.float(), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(idx)
            if (s + 1) % CHECKPOINT_STEPS == 0 and s + 1 < steps_per_epoch:
                save_checkpoint(ckpt, spec, epoch, s + 1, model, opt, schedule_changes)
                say(f"epoch {epoch + 1}/{epochs} step {s + 1}/{steps_per_epoch} loss {loss_sum / seen:.4f} "
                    f"({seen / (time.time() - t0):.1f} img/s)")
        dt = time.time() - t0
        acc, _ = evaluate(model, vx, vy, prep)
        say(f"epoch {epoch + 1}/{epochs} loss {loss_sum / max(1, seen):.4f} train-acc {correct / max(1, seen):.4f} "
            f"test-acc {acc:.4f} ({seen / dt:.0f} img/s, {dt:.0f}s)")
        save_checkpoint(ckpt, spec, epoch + 1, 0, model, opt, schedule_changes)

    # The headline figures and reference logits are computed on the CPU in float32 whatever the
    # training device: CUDA convolutions may use TF32, whose ~1e-3 rounding would be recorded as
    # the reference the studio's tfjs logits are checked against.
    model.cpu()
    acc = export(spec, meta, model, model_json, vx.cpu(), vy.cpu(), prep, (first, count), args, epochs_done=epochs,
                 schedule_changes=schedule_changes)
    say(f"exported, test accuracy {acc * 100:.2f}% on {count} test images")


def save_checkpoint(path, spec, epoch, step, model, opt, schedule_changes):
    tmp = path.with_suffix(".tmp")
    torch.save({"spec": spec, "epoch": epoch, "step": step, "model": model.state_dict(), "opt": opt.state_dict(),
                "scheduleChanges": schedule_changes}, tmp)
    os.replace(tmp, path)  # a kill mid-save never leaves a torn checkpoint


def augment_draws(n, mode, gen):
    """The random draws augment() makes for a batch of n, without touching any image."""
    if "flip" in mode:
        torch.rand(n, generator=gen)
    if "crop" in mode:
        torch.randint(0, 9, (n, 2), generator=gen)


def write_weight_files(out, model, model_json, storage):
    """Writes the weights (float32 in one weights.bin, or float16 in shards of <= SHARD_BYTES, as
    tensorflowjs_converter shards them) and returns the model.json to write beside them."""
    for old in out.glob("*.bin"):
        old.unlink()
    data = dump_weights(model, model_json, storage)
    entries = [dict(w) for w in manifest_entries(model_json)]
    for w in entries:
        w.pop("quantization", None)
        if storage == "float16":
            w["quantization"] = {"dtype": "float16"}
    if storage == "float16" and len(data) > SHARD_BYTES:
        shards = [data[i:i + SHARD_BYTES] for i in range(0, len(data), SHARD_BYTES)]
        paths = [f"group1-shard{i + 1}of{len(shards)}.bin" for i in range(len(shards))]
    else:
        shards, paths = [data], ["weights.bin"]
    for p, b in zip(paths, shards):
        (out / p).write_bytes(b)
    return {**model_json, "weightsManifest": [{"paths": paths, "weights": entries}]}


def export(spec, meta, model, model_json, vx, vy, prep, headline, args, epochs_done, schedule_changes=()):
    """Writes public/models/<id>/ and its index.json row. The accuracy and reference logits are
    those of the weights as stored (float16 storage rounds them first), computed on the CPU in
    float32, so the studio's parity check compares like with like."""
    out = ROOT / "public" / "models" / spec["id"]
    out.mkdir(parents=True, exist_ok=True)
    storage = spec.get("storage", "float32")
    stored_json = write_weight_files(out, model, model_json, storage)
    files = [p for g in stored_json["weightsManifest"] for p in g["paths"]]
    load_weights(model, stored_json, b"".join((out / p).read_bytes() for p in files))
    acc, logits = evaluate(model, vx, vy, prep)
    ref_logits = logits[:REFERENCE_LOGITS]
    device = args.device
    (out / "model.json").write_text(json.dumps(stored_json))
    (out / "reference-logits.json").write_text(json.dumps({
        "first": headline[0], "count": int(ref_logits.shape[0]),
        "logits": [[round(float(v), 6) for v in row] for row in ref_logits],
    }))
    first, count = headline
    exact = not (spec["dataset"] == "cifar10" and first + count > 1000)
    note = ("official test split" if spec["dataset"] != "cifar10"
            else "CIFAR-10 test_batch records 0-999: the exact images of the shared copy (records 1000-9999 are JPEG-degraded)")
    entry = {
        "id": spec["id"], "family": meta["family"], "dataset": spec["dataset"],
        "inputShape": meta["inputShape"], "numClasses": meta["numClasses"],
        "preprocessing": meta["preprocessing"], "path": f"models/{spec['id']}/model.json",
        "params": meta["params"], "macs": meta["macs"], "sizeBytes": sum((out / p).stat().st_size for p in files),
        "testAccuracy": round(acc, 6),
        "testData": {"split": "test", "first": first, "count": count, "exact": exact, "note": note},
        "training": {
            "tool": ("tools/zoo/train.py (Debian python3-torch %s, CPU, %d threads)" % (torch.__version__, torch.get_num_threads())
                     if device == "cpu" else "tools/zoo/train.py (PyTorch %s, %s)" % (torch.__version__, torch.cuda.get_device_name())),
            "trainData": "official training split, all records",
            "epochs": spec["epochs"], "epochsCompleted": round(epochs_done, 2), "batch": spec["batch"], "optimizer": "SGD nesterov momentum 0.9, weight decay 5e-4 on kernels",
            "lr": f"{spec['lr']} peak, 1 epoch linear warm-up, cosine decay", "augment": spec["augment"], "seed": SEED,
            "precision": "bfloat16 autocast (float32 master weights)" if args.bf16 else "float32",
            "storage": storage,
            **({"scheduleChanges": list(schedule_changes)} if schedule_changes else {}),
        },
        # Checked at load (models/load.ts): a clone or a server that damaged a shard is named.
        "files": [{"path": p, "bytes": (out / p).stat().st_size, "sha256": hashlib.sha256((out / p).read_bytes()).hexdigest()}
                  for p in ["model.json"] + files],
        "referenceLogitsPath": f"models/{spec['id']}/reference-logits.json",
    }
    if meta.get("alpha") is not None:
        entry["alpha"] = meta["alpha"]
    index_path = ROOT / "public" / "models" / "index.json"
    # Several trainers may run side by side (one GPU fits many of these small nets): lock the
    # read-modify-write of the shared index.
    with open(index_path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        index = json.loads(index_path.read_text()) if index_path.exists() else {"version": 1, "models": []}
        index["models"] = [m for m in index["models"] if m["id"] != spec["id"]] + [entry]
        index["models"].sort(key=lambda m: m["id"])
        index_path.write_text(json.dumps(index, indent=1) + "\n")
    return acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ids", nargs="*", help="baseline ids (default: all in baselines.json)")
    ap.add_argument("--data", default=str(ROOT / "public" / "data"), help="prepared dataset folder")
    ap.add_argument("--epochs", type=int, help="override epochs (for a quick smoke run)")
    ap.add_argument("--train-limit", type=int, help="train on the first N training images only (smoke runs)")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast (float32 master weights): 2-3x faster on CPUs with AVX512-BF16")
    ap.add_argument("--export-only", action="store_true", help="export the latest checkpoint as it is (a partly trained model says so in index.json)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda: where to train; the export is always computed on the CPU")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(SEED)
    specs = json.loads((HERE / "baselines.json").read_text())["baselines"]
    for spec in specs:
        if args.ids and spec["id"] not in args.ids:
            continue
        if args.epochs:
            spec = {**spec, "epochs": args.epochs}
        train_one(spec, args)


if __name__ == "__main__":
    main()
