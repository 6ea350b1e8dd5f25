#!/usr/bin/python3
"""Bring your own spiking network into eccsim: train it in plain PyTorch, export it as TorchScript.

This is a user's model, not eccsim's spiking VGG: a small convolutional SNN trained here with a
surrogate gradient on some Fashion-MNIST classes, then scripted into an inference module that
meets eccsim's TorchScript contract for an EDGE model (docs/own-models.md):

    attributes  input_shape, classes, head_sizes, timesteps, first_layer_macs, spiking_neurons,
                input_mean, input_std
    forward(x [n, C, H, W] float32) -> (List[Tensor] head logits, synaptic_ops [n], layer_spikes [n, L])

Usage (from the repository's root):

    examples/models/fmnist_snn.py --out checkpoints/user-snn/edge.pt          # full: a few minutes
    examples/models/fmnist_snn.py --quick --out /tmp/edge.pt                  # 1 epoch, 1,000 images
    build/eccsim run scenarios/quickstart.yaml --set models.edge.format=torchscript \\
        --set models.edge.path=checkpoints/user-snn/edge.pt

--classes are dataset class ids, in output order. The default, 3 5, is task 0 of eccsim's shipped
class split (class_order 3 5 7 2 6 9 8 0 4 1, two classes per task), the task a TorchScript edge
model starts out knowing in the example scenarios. Reads Debian's Fashion-MNIST package files
(gzip IDX) from /usr/share/datasets/fashion-mnist unless --data names another directory.
Needs only torch and numpy; deterministic on CPU for a given --seed and --threads (the thread
count changes the order of floating-point sums, hence the last bits of the weights).
"""

import argparse
import gzip
import os
import sys
import time
from typing import List, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
# Fashion-MNIST's pixel statistics on the pixels / 255 scale; exported as input_mean / input_std, so
# eccsim normalises the images it feeds and the module itself does not.
PIXEL_MEAN = 0.2860
PIXEL_STD = 0.3530


# ---------------------------------------------------------------------------------------------
# Data: the IDX files, parsed with numpy (no torchvision)
# ---------------------------------------------------------------------------------------------

def read_idx(path: str) -> np.ndarray:
    """One gzip IDX file: a big-endian header (magic, then one int32 per dimension), then uint8s."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08: unsigned byte data
        raise ValueError(f"{path}: not a uint8 IDX file (magic {magic:#x})")
    dims = magic & 0xFF
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(data_dir: str, split: str, classes: List[int]) -> Tuple[Tensor, Tensor]:
    """Images of the given classes, normalised, [n, 1, 28, 28] float32; labels = index in `classes`."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    keep = np.isin(labels, classes)
    x = torch.from_numpy(images[keep].astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - PIXEL_MEAN) / PIXEL_STD
    output_of_class = {c: i for i, c in enumerate(classes)}
    y = torch.tensor([output_of_class[int(c)] for c in labels[keep]], dtype=torch.long)
    return x, y


# ---------------------------------------------------------------------------------------------
# Spikes and LIF neurons
# ---------------------------------------------------------------------------------------------

class ArctanSurrogateSpike(torch.autograd.Function):
    """Training only: Heaviside forward, the derivative of (1/pi) arctan(pi a x) + 1/2 backward.

    A torch.autograd.Function cannot be scripted, so the exported module (ExportedSnn) overrides
    `spike` with the plain Heaviside below: both give the same forward, only the gradient differs.
    """

    ALPHA = 2.0  # sharpness of the surrogate

    @staticmethod
    def forward(ctx, v_minus_threshold: Tensor) -> Tensor:
        ctx.save_for_backward(v_minus_threshold)
        return (v_minus_threshold >= 0).to(v_minus_threshold.dtype)

    @staticmethod
    def backward(ctx, grad_spikes: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        a = ArctanSurrogateSpike.ALPHA
        return grad_spikes * a / (2.0 * (1.0 + (torch.pi / 2.0 * a * x) ** 2))


def spikes_per_sample(spikes: Tensor) -> Tensor:
    """[T, n, ...] spikes summed over time and neurons -> [n], float64."""
    return spikes.detach().sum(0).flatten(1).sum(1).to(torch.float64)


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------

class FashionSnn(nn.Module):
    """A small convolutional SNN with direct encoding over T steps.

    conv3x3(1->16)+BN -> LIF -> maxpool2 -> conv3x3(16->32)+BN -> LIF -> maxpool2 -> flatten
    -> Linear(32*7*7 -> 128)+BN1d -> LIF -> mean spike rate over T -> Linear head (128 -> classes)

    LIF: tau 2, threshold 1, hard reset to 0; v <- v + (I - v) / tau, spike when v >= threshold.
    Direct encoding: the analog image drives the first conv at every step with the same current,
    so that layer runs once and its output is repeated over T. Later layers see binary spikes, with
    the T steps folded into the batch ([T*n, ...]) since conv / Linear / BN are stateless in time.
    """

    def __init__(self, classes: List[int], timesteps: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, 128, bias=False)
        self.bn_fc = nn.BatchNorm1d(128)
        self.heads = nn.ModuleList([nn.Linear(128, len(classes))])  # one task head

        self.tau: float = 2.0
        self.threshold: float = 1.0
        # eccsim's contract (docs/own-models.md); plain attributes, kept by torch.jit.script.
        self.input_shape: List[int] = [1, 28, 28]
        self.classes: List[int] = [int(c) for c in classes]
        self.head_sizes: List[int] = [len(classes)]
        self.timesteps: int = int(timesteps)
        # conv1 on the analog image, once per inference: out pixels x out ch x in ch x 3 x 3
        self.first_layer_macs: float = float(28 * 28 * 16 * 1 * 3 * 3)
        # LIF neurons per step, in forward order
        self.spiking_neurons: List[int] = [16 * 28 * 28, 32 * 14 * 14, 128]
        self.input_mean: List[float] = [PIXEL_MEAN]
        self.input_std: List[float] = [PIXEL_STD]

    def spike(self, v: Tensor) -> Tensor:
        return ArctanSurrogateSpike.apply(v - self.threshold)

    def lif(self, currents: Tensor) -> Tensor:
        """Input currents [T, n, ...] -> spikes [T, n, ...]; the membrane starts at 0."""
        v = torch.zeros_like(currents[0])
        spikes: List[Tensor] = []
        for t in range(currents.size(0)):
            v = v + (currents[t] - v) / self.tau  # leaky integration
            s = self.spike(v)
            v = v * (1.0 - s)                     # hard reset to 0 where it fired
            spikes.append(s)
        return torch.stack(spikes)

    def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
        steps = self.timesteps
        n = x.size(0)

        # Layer 1: dense on the analog image (first_layer_macs); the same current at every step.
        current = self.bn1(self.conv1(x))
        s1 = self.lif(current.unsqueeze(0).expand(steps, n, 16, 28, 28))      # [T, n, 16, 28, 28]
        p1 = F.max_pool2d(s1.flatten(0, 1), 2)                                # [T*n, 16, 14, 14]

        # Layer 2: each spike arriving after the pool triggers out_channels * 3 * 3 accumulates.
        s2 = self.lif(self.bn2(self.conv2(p1)).view(steps, n, 32, 14, 14))    # [T, n, 32, 14, 14]
        p2 = F.max_pool2d(s2.flatten(0, 1), 2).flatten(1)                     # [T*n, 32*7*7]

        # Feature layer: each arriving spike triggers out_features accumulates.
        s3 = self.lif(self.bn_fc(self.fc(p2)).view(steps, n, 128))            # [T, n, 128]

        # Head on the mean rate; linear, so head(mean_t s_t) = mean_t head(s_t): each feature
        # spike costs one accumulate per output.
        rate = s3.mean(0)
        logits: List[Tensor] = []
        for head in self.heads:
            logits.append(head(rate))

        arriving_2 = spikes_per_sample(p1.view(steps, n, 16, 14, 14))
        arriving_fc = spikes_per_sample(p2.view(steps, n, 32 * 7 * 7))
        arriving_head = spikes_per_sample(s3)
        outputs = 0
        for size in self.head_sizes:
            outputs += size
        synaptic_ops = arriving_2 * float(32 * 3 * 3) + arriving_fc * 128.0 + arriving_head * float(outputs)
        layer_spikes = torch.stack(
            [spikes_per_sample(s1), spikes_per_sample(s2), spikes_per_sample(s3)], 1).to(torch.float32)
        return logits, synaptic_ops, layer_spikes


class ExportedSnn(FashionSnn):
    """The inference module that is scripted: FashionSnn with a scriptable spike function
    (no surrogate gradient; autograd.Function does not script). Load the trained weights into it."""

    def spike(self, v: Tensor) -> Tensor:
        return (v >= self.threshold).to(v.dtype)


# ---------------------------------------------------------------------------------------------
# Training and evaluation
# ---------------------------------------------------------------------------------------------

def batches(n: int, size: int, generator: torch.Generator = None):
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    for start in range(0, n, size):
        yield order[start:start + size]


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor, batch_size: int = 500) -> float:
    model.eval()
    correct = 0
    for idx in batches(len(x), batch_size):
        logits, _, _ = model(x[idx])
        correct += int((torch.cat(logits, 1).argmax(1) == y[idx]).sum())
    return correct / len(x)


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, x: Tensor, batch_size: int = 250) -> None:
    """BN running statistics recomputed on training images with the current weights (a plain
    average over these batches). The running averages of training would otherwise still remember
    their initial variance of 1 after a short run (--quick), and spike-driven layers, whose
    currents vary far less, would shrink below threshold and fall silent in eval mode."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    for idx in batches(len(x), batch_size):
        model(x[idx])
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    model.eval()


def train(model: FashionSnn, train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
          epochs: int, batch_size: int, lr: float, seed: int) -> float:
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = (len(train_x) + batch_size - 1) // batch_size
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=epochs * steps_per_epoch)
    shuffle = torch.Generator().manual_seed(seed)
    # BN statistics come from (at most) these training images
    calibration = train_x[torch.randperm(len(train_x), generator=shuffle)[:2000]]
    test_acc = 0.0
    for epoch in range(1, epochs + 1):
        start = time.time()
        model.train()
        total_loss, seen = 0.0, 0
        for idx in batches(len(train_x), batch_size, shuffle):
            logits, _, _ = model(train_x[idx])
            loss = F.cross_entropy(torch.cat(logits, 1), train_y[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total_loss += float(loss) * len(idx)
            seen += len(idx)
        recalibrate_batchnorm(model, calibration)
        test_acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch}/{epochs}: loss {total_loss / seen:.4f}, test accuracy {100 * test_acc:.2f} % "
              f"({time.time() - start:.1f} s)", flush=True)
    return test_acc


# ---------------------------------------------------------------------------------------------
# Export and the user's own contract check
# ---------------------------------------------------------------------------------------------

def export(model: FashionSnn, path: str) -> None:
    inference = ExportedSnn(model.classes, model.timesteps)
    inference.load_state_dict(model.state_dict())
    inference.eval()  # BN uses its running statistics
    scripted = torch.jit.script(inference)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    torch.jit.save(scripted, path)


def check_contract(path: str, model: FashionSnn, test_x: Tensor) -> None:
    """Reload the file as eccsim will and check what the contract promises."""
    m = torch.jit.load(path)
    m.eval()

    def require(ok: bool, what: str) -> None:
        if not ok:
            raise SystemExit(f"{path}: contract check failed: {what}")

    def int_list(name: str) -> List[int]:
        value = getattr(m, name, None)
        require(isinstance(value, list) and len(value) > 0 and all(isinstance(v, int) for v in value),
                f"{name} is {value!r}, expected a non-empty List[int]")
        return value

    def float_list(name: str) -> List[float]:
        value = getattr(m, name, None)
        require(isinstance(value, list) and all(isinstance(v, float) for v in value),
                f"{name} is {value!r}, expected List[float]")
        return value

    require(int_list("input_shape") == [1, 28, 28], "input_shape != [1, 28, 28]")
    require(int_list("classes") == model.classes, f"classes != {model.classes}")
    require(int_list("head_sizes") == [len(model.classes)], "head_sizes != [len(classes)]")
    require(isinstance(m.timesteps, int) and m.timesteps == model.timesteps, "timesteps is not the int T")
    require(isinstance(m.first_layer_macs, float) and m.first_layer_macs == 28 * 28 * 16 * 9,
            "first_layer_macs is not the float 28*28*16*9")
    neurons = int_list("spiking_neurons")
    require(float_list("input_mean") == [PIXEL_MEAN] and float_list("input_std") == [PIXEL_STD],
            "input_mean / input_std are not the pixel statistics")

    with torch.no_grad():
        out = m(torch.zeros(2, 1, 28, 28))  # a blank batch, as eccsim's loader does
        require(isinstance(out, tuple) and len(out) == 3, "forward does not return a 3-tuple")
        heads, synaptic_ops, layer_spikes = out
        require(isinstance(heads, list) and len(heads) == len(m.head_sizes), "not one logits tensor per head")
        for head, size in zip(heads, m.head_sizes):
            require(head.shape == (2, size) and head.dtype == torch.float32, f"head logits {tuple(head.shape)}")
        require(synaptic_ops.shape == (2,) and synaptic_ops.dtype == torch.float64, "synaptic_ops is not [n] float64")
        require(layer_spikes.shape == (2, len(neurons)) and layer_spikes.is_floating_point(),
                "layer_spikes is not [n, len(spiking_neurons)] float")

        # The scripted module computes what the trained one does (same forward, same weights).
        model.eval()
        sample = test_x[:64]
        exported = m(sample)
        trained = model(sample)
        require(torch.equal(torch.cat(exported[0], 1), torch.cat(trained[0], 1)) and
                torch.equal(exported[1], trained[1]) and torch.equal(exported[2], trained[2]),
                "the scripted module's outputs differ from the trained model's")
    print(f"contract ok: {path} ({os.path.getsize(path)} bytes); on {len(sample)} test images "
          f"{float(exported[1].mean()):.0f} synaptic ops and {float(exported[2].sum(1).mean()):.0f} spikes per sample")


# ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA, help="directory of the Fashion-MNIST .gz IDX files")
    parser.add_argument("--classes", type=int, nargs="+", default=[3, 5],
                        help="dataset class ids to learn, in output order (default: 3 5, eccsim's task 0)")
    parser.add_argument("--timesteps", type=int, default=4, help="T, time steps per inference (default 4)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (default 3; --quick: 1)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate, cosine-annealed")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--quick", action="store_true", help="1 epoch on at most 1,000 training images (tests)")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    parser.add_argument("--out", default="edge.pt", help="the TorchScript file to write (default edge.pt)")
    args = parser.parse_args()
    if len(set(args.classes)) != len(args.classes) or not all(0 <= c <= 9 for c in args.classes) or len(args.classes) < 2:
        parser.error("--classes needs at least two distinct class ids in 0..9")
    if args.timesteps < 1:
        parser.error("--timesteps must be >= 1")

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    started = time.time()
    try:
        train_x, train_y = load_split(args.data, "train", args.classes)
        test_x, test_y = load_split(args.data, "t10k", args.classes)
    except (OSError, ValueError) as e:
        parser.error(f"--data {args.data}: {e}")
    epochs = args.epochs
    if args.quick:
        epochs = 1
        keep = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(args.seed))[:1000]
        train_x, train_y = train_x[keep], train_y[keep]
    print(f"classes {args.classes}: {len(train_x)} training, {len(test_x)} test images; "
          f"T = {args.timesteps}, {epochs} epoch(s)", flush=True)

    model = FashionSnn(args.classes, args.timesteps)
    test_acc = train(model, train_x, train_y, test_x, test_y, epochs, args.batch_size, args.lr, args.seed)
    trained = time.time()
    print(f"final test accuracy {100 * test_acc:.2f} % on {len(test_x)} test images of classes {args.classes} "
          f"(training {trained - started:.1f} s)")

    export(model, args.out)
    check_contract(args.out, model, test_x)
    return 0


if __name__ == "__main__":
    sys.exit(main())
