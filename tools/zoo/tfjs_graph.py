"""Builds a PyTorch network from a tfjs LayersModel model.json (Keras functional topology).

The tfjs builders in src/engine/models are the single definition of every architecture; this
module interprets their serialised topology, so the trainer cannot drift from what the studio
runs. Parameters are stored in Keras layouts (conv kernel HWIO, depthwise HWC1, dense IO) and
permuted at use, so reading and writing tfjs weight files is a plain copy.

Traps handled here, each a silent accuracy killer when wrong:
- Keras 'same' padding is asymmetric at stride 2 (the extra row/column goes bottom/right).
- Flatten flattens NHWC; PyTorch tensors are NCHW, so we permute before flattening.
- Keras BatchNormalization momentum m means moving = m*moving + (1-m)*batch; PyTorch's is 1-m.
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def same_pads(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class TfjsGraph(nn.Module):
    def __init__(self, model_json):
        super().__init__()
        topo = model_json["modelTopology"]
        cfg = topo["model_config"]["config"] if "model_config" in topo else topo["config"]
        self.layers_cfg = cfg["layers"]
        self.input_names = [x[0] for x in cfg["input_layers"]]
        self.output_names = [x[0] for x in cfg["output_layers"]]
        self.params_ = nn.ParameterDict()
        self.buffers_ = {}
        self.order = []
        shapes = {}
        for layer in self.layers_cfg:
            name, cls, c = layer["name"], layer["class_name"], layer["config"]
            inbound = [n[0] for n in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
            in_shape = shapes[inbound[0]] if inbound else None
            self.order.append((name, cls, c, inbound))
            if cls == "InputLayer":
                shapes[name] = tuple(c["batch_input_shape"][1:])
            elif cls in ("Conv2D", "DepthwiseConv2D"):
                kh, kw = c["kernel_size"]
                sh, sw = c["strides"]
                h, w, cin = in_shape
                if c["padding"] == "same":
                    oh, ow = math.ceil(h / sh), math.ceil(w / sw)
                else:
                    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
                if cls == "Conv2D":
                    cout = c["filters"]
                    self._param(name, "kernel", (kh, kw, cin, cout))
                else:
                    cout = cin * c.get("depth_multiplier", 1)
                    self._param(name, "depthwise_kernel", (kh, kw, cin, c.get("depth_multiplier", 1)))
                if c["use_bias"]:
                    self._param(name, "bias", (cout,))
                shapes[name] = (oh, ow, cout)
            elif cls == "BatchNormalization":
                ch = in_shape[-1]
                self._param(name, "gamma", (ch,))
                self._param(name, "beta", (ch,))
                self.register_buffer(self._key(name, "moving_mean"), torch.zeros(ch))
                self.register_buffer(self._key(name, "moving_variance"), torch.ones(ch))
                shapes[name] = in_shape
            elif cls == "Dense":
                cin = in_shape[-1]
                self._param(name, "kernel", (cin, c["units"]))
                if c["use_bias"]:
                    self._param(name, "bias", (c["units"],))
                shapes[name] = (c["units"],)
            elif cls in ("MaxPooling2D", "AveragePooling2D"):
                (ph, pw), (sh, sw) = c["pool_size"], c["strides"]
                h, w, ch = in_shape
                if c["padding"] == "same":
                    shapes[name] = (math.ceil(h / sh), math.ceil(w / sw), ch)
                else:
                    shapes[name] = ((h - ph) // sh + 1, (w - pw) // sw + 1, ch)
            elif cls == "GlobalAveragePooling2D":
                shapes[name] = (in_shape[-1],)
            elif cls == "Flatten":
                shapes[name] = (int(np.prod(in_shape)),)
            elif cls in ("Activation", "Dropout", "Add", "ReLU"):
                shapes[name] = in_shape
            else:
                raise ValueError(f"layer {name}: class {cls} is not supported by the trainer")
        self.shapes = shapes

    @staticmethod
    def _key(layer, weight):
        return f"{layer}__{weight}".replace(".", "_")

    def _param(self, layer, weight, shape):
        self.params_[self._key(layer, weight)] = nn.Parameter(torch.zeros(shape))

    def p(self, layer, weight):
        key = self._key(layer, weight)
        if key in self.params_:
            return self.params_[key]
        return getattr(self, key)

    def weight_tensor(self, full_name):
        layer, weight = full_name.rsplit("/", 1)
        return self.p(layer, weight)

    def forward(self, x):
        """x: NCHW float32. Returns the model outputs (logits)."""
        vals = {}
        for name, cls, c, inbound in self.order:
            if cls == "InputLayer":
                vals[name] = x
                continue
            xs = [vals[n] for n in inbound]
            y = xs[0]
            if cls in ("Conv2D", "DepthwiseConv2D"):
                kh, kw = c["kernel_size"]
                sh, sw = c["strides"]
                if c["padding"] == "same":
                    pt, pb = same_pads(y.shape[2], kh, sh)
                    pl, pr = same_pads(y.shape[3], kw, sw)
                    if pt == pb and pl == pr:
                        pad = (pt, pl)
                    else:
                        y = F.pad(y, (pl, pr, pt, pb))
                        pad = (0, 0)
                else:
                    pad = (0, 0)
                if cls == "Conv2D":
                    k = self.p(name, "kernel").permute(3, 2, 0, 1)
                    groups = 1
                else:
                    dk = self.p(name, "depthwise_kernel")  # kh, kw, cin, mult
                    k = dk.permute(2, 3, 0, 1).reshape(dk.shape[2] * dk.shape[3], 1, kh, kw)
                    groups = dk.shape[2]
                b = self.p(name, "bias") if c["use_bias"] else None
                y = F.conv2d(y, k, b, stride=(sh, sw), padding=pad, groups=groups)
                y = activation(y, c.get("activation", "linear"))
            elif cls == "BatchNormalization":
                y = F.batch_norm(
                    y, self.p(name, "moving_mean"), self.p(name, "moving_variance"),
                    self.p(name, "gamma"), self.p(name, "beta"),
                    training=self.training, momentum=1.0 - c["momentum"], eps=c["epsilon"],
                )
            elif cls == "Dense":
                y = y @ self.p(name, "kernel")
                if c["use_bias"]:
                    y = y + self.p(name, "bias")
                y = activation(y, c.get("activation", "linear"))
            elif cls in ("MaxPooling2D", "AveragePooling2D"):
                (ph, pw), (sh, sw) = c["pool_size"], c["strides"]
                if c["padding"] == "same":
                    pt, pb = same_pads(y.shape[2], ph, sh)
                    pl, pr = same_pads(y.shape[3], pw, sw)
                    if cls == "MaxPooling2D":
                        y = F.pad(y, (pl, pr, pt, pb), value=float("-inf"))
                        y = F.max_pool2d(y, (ph, pw), (sh, sw))
                    else:
                        # Keras 'same' average pooling divides by the count of real (unpadded) pixels.
                        ones = torch.ones_like(y[:1, :1])
                        s = F.avg_pool2d(F.pad(y, (pl, pr, pt, pb)), (ph, pw), (sh, sw), divisor_override=1)
                        n = F.avg_pool2d(F.pad(ones, (pl, pr, pt, pb)), (ph, pw), (sh, sw), divisor_override=1)
                        y = s / n
                elif cls == "MaxPooling2D":
                    y = F.max_pool2d(y, (ph, pw), (sh, sw))
                else:
                    y = F.avg_pool2d(y, (ph, pw), (sh, sw))
            elif cls == "GlobalAveragePooling2D":
                y = y.mean(dim=(2, 3))
            elif cls == "Flatten":
                y = y.permute(0, 2, 3, 1).flatten(1) if y.dim() == 4 else y.flatten(1)
            elif cls == "Activation":
                y = activation(y, c["activation"])
            elif cls == "ReLU":
                y = F.relu(y) if c.get("max_value") is None else torch.clamp(y, 0, c["max_value"])
            elif cls == "Dropout":
                y = F.dropout(y, c["rate"], self.training)
            elif cls == "Add":
                y = xs[0]
                for other in xs[1:]:
                    y = y + other
            vals[name] = y
        outs = [vals[n] for n in self.output_names]
        return outs[0] if len(outs) == 1 else outs


def activation(y, name):
    if name in ("linear", None):
        return y
    if name == "relu":
        return F.relu(y)
    if name == "relu6":
        return F.hardtanh(y, 0.0, 6.0)
    if name == "softmax":
        return F.softmax(y, dim=-1)
    if name == "sigmoid":
        return torch.sigmoid(y)
    raise ValueError(f"activation {name} is not supported by the trainer")


def load_weights(model, model_json, weights_bytes):
    """Copies tfjs weight bytes (all groups' files concatenated in manifest order) into the model.

    Entries may be float32 or, as the big baselines are stored, float16 (`quantization: {dtype:
    'float16'}`, which tfjs dequantizes on load); both are read as tfjs reads them.
    """
    offset = 0
    for spec in manifest_entries(model_json):
        n = int(np.prod(spec["shape"])) if spec["shape"] else 1
        half = spec.get("quantization", {}).get("dtype") == "float16"
        arr = np.frombuffer(weights_bytes, dtype="<f2" if half else "<f4", count=n, offset=offset).astype(np.float32).reshape(spec["shape"])
        offset += n * (2 if half else 4)
        with torch.no_grad():
            model.weight_tensor(spec["name"]).copy_(torch.from_numpy(arr.copy()))
    if offset != len(weights_bytes):
        raise ValueError(f"the weight files hold {len(weights_bytes)} bytes, the manifest implies {offset}")


def manifest_entries(model_json):
    return [w for group in model_json["weightsManifest"] for w in group["weights"]]


def read_weight_files(model_dir, model_json):
    """The bytes of every weight file of a tfjs model folder, in manifest order."""
    from pathlib import Path
    return b"".join((Path(model_dir) / p).read_bytes() for group in model_json["weightsManifest"] for p in group["paths"])


def dump_weights(model, model_json, dtype="float32"):
    """Serialises the model's weights in manifest order, as tfjs reads them (float32 or float16)."""
    parts = []
    for spec in manifest_entries(model_json):
        t = model.weight_tensor(spec["name"]).detach().cpu().numpy().astype("<f2" if dtype == "float16" else "<f4")
        if list(t.shape) != list(spec["shape"]):
            raise ValueError(f"{spec['name']}: shape {t.shape} != manifest {spec['shape']}")
        parts.append(t.tobytes())
    return b"".join(parts)
