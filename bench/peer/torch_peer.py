#!/usr/bin/env python3
"""The native peer: a shipped baseline evaluated by Debian's python3-torch on this CPU.

  /usr/bin/python3 bench/peer/torch_peer.py <baseline-id> [--first N] [--count N]
      [--calibration 500] [--threads 2] [--runs 30] [--skip-int8]

Builds the baseline as standard PyTorch modules (Conv2d, BatchNorm2d, Linear, ...) from its tfjs
model.json and weights.bin, checks it against tools/zoo/tfjs_graph.py (the graph the baselines
were trained with), and measures on the same test records the studio uses:
- float32: accuracy, macro recall, images/s at batch 32, median latency at batch 1;
- int8: PyTorch's own quantization engine (FX graph mode, prepare_fx/convert_fx, the engine's
  default qconfig: per-channel symmetric int8 weights, histogram-calibrated uint8 activations),
  calibrated on images drawn from the TRAINING split with a fixed seed, never test images;
  the same figures plus the agreement of its predictions with the float model's.
Prints one JSON object on stdout and exits 0; any failure exits non-zero with the reason on
stderr (exit 3 when torch itself is missing). A model the int8 path cannot handle is reported as
{"unsupported": reason}.

Why standard modules: torch's int8 engine only quantizes modules it knows (Conv2d, Linear, ReLU,
...), so the interpreter's functional graph would run in float. The traps (each silent when
wrong): Keras 'same' padding is asymmetric at stride 2 (the extra row/column goes bottom/right),
so those convs get an explicit nn.ZeroPad2d and padding=0; kernels are HWIO (depthwise HWC1) and
torch wants OIHW; Flatten flattens NHWC, so we permute before flattening.
"""
import argparse
import copy
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

# Exit status 3 means "the peer is missing here" (no torch or numpy for this interpreter), as
# opposed to 1, a failure of the peer itself; bench/peer/native-peer.ts relies on the difference.
EXIT_MISSING = 3
try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(f"torch_peer: {e.name or 'torch'} is not installed for {sys.executable} ({e}); "
          "on Debian: apt-get install python3-torch", file=sys.stderr)
    sys.exit(EXIT_MISSING)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "zoo"))
from tfjs_graph import TfjsGraph, load_weights, read_weight_files, same_pads  # noqa: E402
from train import load_dataset, preprocess  # noqa: E402

CALIBRATION_SEED = 20251126
# Largest |std - trainer graph| logit difference accepted before the run is refused as a bug.
MAX_LOGIT_DIFF = 1e-3


class Fail(Exception):
    """A failure the caller should see as the reason (exit 1, message on stderr)."""


def activation_module(name):
    """A Keras activation as a module torch's quantizer recognises (Identity for 'linear')."""
    if name in ("linear", None):
        return nn.Identity()
    if name == "relu":
        return nn.ReLU()
    if name == "relu6":
        return nn.ReLU6()
    if name == "softmax":
        return nn.Softmax(dim=-1)
    if name == "sigmoid":
        return nn.Sigmoid()
    raise Fail(f"activation {name} is not supported by the peer")


def seq(*mods):
    """nn.Sequential of the given modules without None and Identity (a lone module stays bare)."""
    mods = [m for m in mods if m is not None and not isinstance(m, nn.Identity)]
    return mods[0] if len(mods) == 1 else nn.Sequential(*mods)


class FlattenNhwc(nn.Module):
    """Keras Flatten of a feature map: NHWC order, so the Dense kernel after it reads the same features."""

    def forward(self, x):
        return torch.flatten(x.permute(0, 2, 3, 1), 1)


class FlattenFeatures(nn.Module):
    """Keras Flatten of an already flat (N, features) tensor; torch.flatten stays on int8 tensors."""

    def forward(self, x):
        return torch.flatten(x, 1)


class GlobalAvgPool(nn.Module):
    """Keras GlobalAveragePooling2D; the functional calls are ones torch's int8 lowering keeps quantized."""

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


class Add(nn.Module):
    """Keras Add of two tensors (residual connections); torch.add has an int8 kernel."""

    def forward(self, a, b):
        return torch.add(a, b)


def pool_module(cls, c, in_hw):
    """A torch pool equal to the Keras one, including 'same' padding (asymmetric too)."""
    (ph, pw), (sh, sw) = c["pool_size"], c["strides"]
    pad = (0, 0)
    ceil = False
    if c["padding"] == "same":
        pt, pb = same_pads(in_hw[0], ph, sh)
        pl, pr = same_pads(in_hw[1], pw, sw)
        if pt == pb and pl == pr:
            pad = (pt, pl)
        elif pt == 0 and pl == 0:
            ceil = True  # padding only bottom/right: ceil mode's partial last window is the same thing
        else:
            raise Fail(f"{cls} 'same' with padding {(pt, pb, pl, pr)} has no torch pooling equivalent")
    if cls == "MaxPooling2D":
        m = nn.MaxPool2d((ph, pw), (sh, sw), padding=pad, ceil_mode=ceil)
    else:
        # Keras averages over the real pixels only.
        m = nn.AvgPool2d((ph, pw), (sh, sw), padding=pad, ceil_mode=ceil, count_include_pad=False)
    return m


class StdNet(nn.Module):
    """The tfjs topology as standard torch modules, weights copied from a loaded TfjsGraph."""

    def __init__(self, graph: TfjsGraph):
        super().__init__()
        self.mods = nn.ModuleDict()
        self.steps = []  # (name, module key: None for the input, "" for a pass-through; inbound names)
        self.output = graph.output_names[0]
        if len(graph.output_names) != 1:
            raise Fail("models with more than one output are not supported by the peer")
        shapes = graph.shapes
        with torch.no_grad():
            for name, cls, c, inbound in graph.order:
                key = name.replace(".", "_")
                in_shape = shapes[inbound[0]] if inbound else None
                if cls == "InputLayer":
                    self.steps.append((name, None, []))
                    continue
                if cls in ("Conv2D", "DepthwiseConv2D"):
                    m = self._conv(graph, name, cls, c, in_shape)
                elif cls == "BatchNormalization":
                    ch = in_shape[-1]
                    m = nn.BatchNorm2d(ch, eps=c["epsilon"]) if len(in_shape) == 3 else nn.BatchNorm1d(ch, eps=c["epsilon"])
                    m.weight.copy_(graph.p(name, "gamma"))
                    m.bias.copy_(graph.p(name, "beta"))
                    m.running_mean.copy_(graph.p(name, "moving_mean"))
                    m.running_var.copy_(graph.p(name, "moving_variance"))
                elif cls == "Dense":
                    k = graph.p(name, "kernel")  # (in, out)
                    lin = nn.Linear(k.shape[0], k.shape[1], bias=c["use_bias"])
                    lin.weight.copy_(k.t())
                    if c["use_bias"]:
                        lin.bias.copy_(graph.p(name, "bias"))
                    m = seq(lin, activation_module(c.get("activation")))
                elif cls in ("MaxPooling2D", "AveragePooling2D"):
                    m = pool_module(cls, c, in_shape[:2])
                elif cls == "GlobalAveragePooling2D":
                    m = GlobalAvgPool()
                elif cls == "Flatten":
                    m = FlattenNhwc() if len(in_shape) == 3 else FlattenFeatures()
                elif cls == "Activation":
                    m = activation_module(c["activation"])
                elif cls == "ReLU":
                    if c.get("max_value") not in (None, 6, 6.0):
                        raise Fail(f"layer {name}: ReLU max_value {c['max_value']} is not supported by the peer")
                    m = nn.ReLU() if c.get("max_value") is None else nn.ReLU6()
                elif cls == "Dropout":
                    m = nn.Identity()  # inference
                elif cls == "Add":
                    if len(inbound) != 2:
                        raise Fail(f"layer {name}: Add of {len(inbound)} inputs is not supported by the peer")
                    m = Add()
                else:
                    raise Fail(f"layer {name}: class {cls} is not supported by the peer")
                if isinstance(m, nn.Identity):
                    # No module at all: an Identity between a conv and its BatchNorm would stop
                    # torch's quantizer from fusing them.
                    self.steps.append((name, "", inbound))
                    continue
                self.mods[key] = m
                self.steps.append((name, key, inbound))

    @staticmethod
    def _conv(graph, name, cls, c, in_shape):
        kh, kw = c["kernel_size"]
        sh, sw = c["strides"]
        h, w, cin = in_shape
        pad, pre = (0, 0), None
        if c["padding"] == "same":
            pt, pb = same_pads(h, kh, sh)
            pl, pr = same_pads(w, kw, sw)
            if pt == pb and pl == pr:
                pad = (pt, pl)
            else:
                pre = nn.ZeroPad2d((pl, pr, pt, pb))
        if cls == "Conv2D":
            k = graph.p(name, "kernel")  # kh, kw, cin, cout
            conv = nn.Conv2d(cin, k.shape[3], (kh, kw), (sh, sw), pad, bias=c["use_bias"])
            conv.weight.copy_(k.permute(3, 2, 0, 1))
        else:
            dk = graph.p(name, "depthwise_kernel")  # kh, kw, cin, mult
            cout = dk.shape[2] * dk.shape[3]
            conv = nn.Conv2d(cin, cout, (kh, kw), (sh, sw), pad, groups=cin, bias=c["use_bias"])
            conv.weight.copy_(dk.permute(2, 3, 0, 1).reshape(cout, 1, kh, kw))
        if c["use_bias"]:
            conv.bias.copy_(graph.p(name, "bias"))
        return seq(pre, conv, activation_module(c.get("activation")))

    def forward(self, x):
        vals = {}
        for name, key, inbound in self.steps:
            if key is None:
                vals[name] = x
            elif key == "":
                vals[name] = vals[inbound[0]]
            else:
                vals[name] = self.mods[key](*[vals[n] for n in inbound])
        return vals[self.output]


def predict(model, x, batch=256):
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def metrics(pred, labels, num_classes):
    """Accuracy and macro recall, a class with no test images counting as recall 0 (as the studio)."""
    recalls = []
    for c in range(num_classes):
        mask = labels == c
        n = int(mask.sum())
        recalls.append(float((pred[mask] == c).sum()) / n if n else 0.0)
    return {"accuracy": int((pred == labels).sum()) / len(labels), "macroRecall": sum(recalls) / num_classes}


def timed(model, x, warmup, runs):
    """Median seconds of one forward pass over x, after warm-up."""
    times = []
    with torch.no_grad():
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            model(x)
            dt = time.perf_counter() - t0
            if i >= warmup:
                times.append(dt)
    return statistics.median(times)


def speed(model, x, runs):
    """Images/s at batch 32 (x tiled up to 32) and median ms per image at batch 1."""
    xb = x[:32].repeat(math.ceil(32 / min(32, len(x))), 1, 1, 1)[:32].contiguous()
    batch_s = timed(model, xb, warmup=3, runs=max(3, runs // 3))
    one_s = timed(model, x[:1].contiguous(), warmup=10, runs=runs)
    return {"imagesPerSecond": 32 / batch_s, "latencyMsP50": one_s * 1000}


def quant_engine():
    engines = torch.backends.quantized.supported_engines
    for e in ("x86", "fbgemm", "onednn", "qnnpack"):
        if e in engines:
            return e
    return None


def requantize_pads(q, probe):
    """Runs the asymmetric 'same' pads (nn.ZeroPad2d) on quantized tensors; returns how many.

    torch 1.13's lowering keeps a fixed list of ops that may run on int8 tensors, and padding is
    not on it, so convert_fx leaves dequantize -> pad -> quantize around each stride-2 conv. A
    quantized pad writes the zero point, i.e. the real value 0.0, and torch's default qconfig
    observes the pad's output with its input's observer (backend_config), so the pair is a no-op
    round trip; we drop it. The rewritten model must give bit-identical logits on `probe`, or
    the original is kept.
    """
    import torch.fx as fx

    before = q(probe)
    modules = dict(q.named_modules())
    rewritten = copy.deepcopy(q)
    g = rewritten.graph
    n_pads = 0
    for node in list(g.nodes):
        if node.op != "call_module" or not isinstance(modules.get(node.target), nn.ZeroPad2d):
            continue
        dq, users = node.args[0], list(node.users)
        if not (isinstance(dq, fx.Node) and dq.op == "call_method" and dq.target == "dequantize"
                and len(users) == 1 and users[0].target is torch.quantize_per_tensor):
            continue
        node.replace_input_with(dq, dq.args[0])
        users[0].replace_all_uses_with(node)
        g.erase_node(users[0])
        if not dq.users:
            g.erase_node(dq)
        n_pads += 1
    if n_pads == 0:
        return q, 0
    g.eliminate_dead_code()
    g.lint()
    rewritten.recompile()
    if not torch.equal(rewritten(probe), before):
        return q, 0
    return rewritten, n_pads


def backend_config():
    """torch's native backend config, plus nn.ZeroPad2d observed as sharing its input's range.

    With a shared observer the pad's output has its input's scale and zero point, which is what
    makes requantize_pads exact.
    """
    from torch.ao.quantization.backend_config import BackendPatternConfig, DTypeConfig, ObservationType, get_native_backend_config

    cfg = get_native_backend_config()
    u8 = DTypeConfig(input_dtype=torch.quint8, output_dtype=torch.quint8)
    cfg.set_backend_pattern_config(
        BackendPatternConfig(nn.ZeroPad2d).set_observation_type(ObservationType.OUTPUT_SHARE_OBSERVER_WITH_INPUT).set_dtype_configs([u8]))
    return cfg


def build_int8(float_model, calib_x, example):
    """FX graph mode post-training quantization; returns (model, details) or raises with the reason."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    engine = quant_engine()
    if engine is None:
        raise Fail(f"this torch build has no int8 CPU engine (supported: {torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = engine
    qmap = get_default_qconfig_mapping(engine)
    backend = backend_config()
    prepared = prepare_fx(copy.deepcopy(float_model).eval(), qmap, example_inputs=(example,), backend_config=backend)
    with torch.no_grad():
        for i in range(0, len(calib_x), 64):
            prepared(calib_x[i:i + 64])
    q = convert_fx(prepared, backend_config=backend).eval()
    with torch.no_grad():
        q, pads = requantize_pads(q, calib_x[:32])
    qc = qmap.global_qconfig
    kinds = {}
    float_weighted = []
    for mname, mod in q.named_modules():
        t = type(mod).__module__ + "." + type(mod).__name__
        if ".quantized." in t and "Quantize" not in t and "DeQuantize" not in t:
            kinds[type(mod).__name__] = kinds.get(type(mod).__name__, 0) + 1
        elif isinstance(mod, (nn.Conv2d, nn.Linear)):
            float_weighted.append(mname)
    if not kinds:
        raise Fail("torch's quantizer left every layer in float")
    details = {
        "engine": engine,
        "api": "torch.ao.quantization FX graph mode (prepare_fx, convert_fx)",
        "qconfig": f"activation {qc.activation.p.func.__name__} {dict(qc.activation.p.keywords)}, "
                   f"weight {qc.weight.p.func.__name__} {{dtype: {qc.weight.p.keywords.get('dtype')}, qscheme: {qc.weight.p.keywords.get('qscheme')}}}",
        "quantizedModules": kinds,
        "padsOnInt8": pads,
        # dequantize -> float op -> quantize stretches inside the graph (the final dequantize excluded)
        "floatIslands": sum(1 for n in q.graph.nodes if n.op == "call_method" and n.target == "dequantize") - 1,
        "floatWeightedModules": float_weighted,
    }
    return q, details


def find_baseline(public, model_id):
    """The index entry of a shipped baseline, or of one trained here (public/models/trained/), as the CLI reads them."""
    models = json.loads((public / "models" / "index.json").read_text())["models"]
    trained = public / "models" / "trained" / "index.json"
    if trained.exists():
        models += [m for m in json.loads(trained.read_text())["models"] if m["id"] not in {s["id"] for s in models}]
    entry = next((m for m in models if m["id"] == model_id), None)
    if entry is None:
        raise Fail(f"baseline {model_id!r} is not in public/models/index.json (have: {', '.join(m['id'] for m in models)})")
    return entry


def run(args):
    entry = find_baseline(args.public, args.model)
    model_json = json.loads((args.public / entry["path"]).read_text())
    weights = read_weight_files(args.public / Path(entry["path"]).parent, model_json)
    graph = TfjsGraph(model_json)
    load_weights(graph, model_json, weights)
    graph.eval()
    std = StdNet(graph).eval()

    first = entry["testData"]["first"] if args.first is None else args.first
    count = entry["testData"]["count"] if args.count is None else args.count
    data_dir = args.public / "data"
    if not (data_dir / entry["dataset"]).exists():
        raise Fail(f"{data_dir / entry['dataset']} does not exist: run `npm run prepare-data` first")
    tx, _, vx, vy = load_dataset(data_dir, entry["dataset"])
    if first < 0 or count < 1 or first + count > len(vx):
        raise Fail(f"test records {first}..{first + count - 1} are outside the {len(vx)} test records of {entry['dataset']}")
    prep = entry["preprocessing"]
    x = preprocess(torch.from_numpy(vx[first:first + count].copy()), prep)
    y = torch.from_numpy(vy[first:first + count].astype(np.int64))
    k = entry["numClasses"]

    # The standard modules must compute what the trainer's graph computes.
    ref = predict(graph, x[:64])
    logits = predict(std, x)
    diff = float((logits[:64] - ref).abs().max())
    if diff > MAX_LOGIT_DIFF:
        raise Fail(f"bug: the peer's torch modules differ from tools/zoo/tfjs_graph.py by {diff:.3g} in the logits (limit {MAX_LOGIT_DIFF})")
    pred = logits.argmax(1)
    out = {
        "peer": "python3-torch",
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "modelId": entry["id"],
        "dataset": entry["dataset"],
        "testRecords": {"first": first, "count": count},
        "float": {**metrics(pred, y, k), **speed(std, x, args.runs), "maxLogitDiffVsTrainerGraph": diff},
        "timing": {"throughputBatch": 32, "latencyBatch": 1, "latencyRuns": args.runs, "statistic": "median after warm-up"},
        "floatLogitsFirst8": [[round(float(v), 6) for v in row] for row in logits[:8]],
    }

    if args.skip_int8:
        out["int8"] = {"unsupported": "skipped by --skip-int8"}
        return out
    n_cal = min(args.calibration, len(tx))
    idx = torch.randperm(len(tx), generator=torch.Generator().manual_seed(CALIBRATION_SEED))[:n_cal]
    calib = preprocess(torch.from_numpy(tx[idx.numpy()].copy()), prep)
    try:
        q, details = build_int8(std, calib, x[:1])
        qlogits = predict(q, x)
    except Exception as e:  # noqa: BLE001 -- any quantizer failure is reported, not hidden
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else ""
        out["int8"] = {"unsupported": f"torch's int8 engine could not quantize {entry['id']}: {type(e).__name__}: {first_line}"}
        return out
    qpred = qlogits.argmax(1)
    out["int8"] = {
        **metrics(qpred, y, k),
        "agreementWithFloat": int((qpred == pred).sum()) / len(pred),
        **speed(q, x, args.runs),
        "calibration": {"images": n_cal, "source": "training split", "seed": CALIBRATION_SEED},
        **details,
    }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="baseline id from public/models/index.json")
    ap.add_argument("--first", type=int, help="first test record (default: the baseline's testData.first)")
    ap.add_argument("--count", type=int, help="number of test records (default: the baseline's testData.count)")
    ap.add_argument("--calibration", type=int, default=500, help="int8 calibration images from the training split")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--runs", type=int, default=30, help="timed runs at batch 1 (a third as many at batch 32)")
    ap.add_argument("--skip-int8", action="store_true", help="float only")
    ap.add_argument("--public", type=Path, default=ROOT / "public", help="the studio's public/ folder")
    args = ap.parse_args()
    if args.threads < 1 or args.calibration < 1 or args.runs < 1:
        ap.error("--threads, --calibration and --runs must be at least 1")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    load_before = os.getloadavg()[0]
    try:
        out = run(args)
        # Timings on a shared machine move with other work: the 1-minute load average says how busy it was.
        out["machine"] = {"cpus": os.cpu_count(), "loadAverage1m": {"before": load_before, "after": os.getloadavg()[0]}}
    except (Fail, OSError, ValueError) as e:
        print(f"torch_peer: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
