#!/usr/bin/python3
"""The actor-critic forward of bench_inference in PyTorch, and marlsim / PyTorch ratios from one run.

Same network as agents/nn/actor_critic_network.hpp with bench_inference's settings: a shared
candidate scorer [20 own + 30 candidate features] -> 128 ReLU -> 1 score per candidate, softmax
over K = 16 candidates, optional sampling, and a value head 20 -> 128 ReLU -> 1. PyTorch on 1
thread (REFERENCE-FIGURES.md: 2 threads was slower and noisy).

  benchmarks/pytorch_inference.py --bench build/bin/bench_inference
  benchmarks/pytorch_inference.py --install-torch   # apt-get install python3-torch (never needed by CI)
"""
import argparse
import json
import subprocess
import sys
import time

OWN, CAND, HIDDEN, K = 20, 30, 128, 16
BATCHES = [1, 4, 16, 64, 256, 1024, 4096]


def torch_rates(torch, min_time):
    torch.set_num_threads(1)
    scorer = torch.nn.Sequential(torch.nn.Linear(OWN + CAND, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 1))
    value = torch.nn.Sequential(torch.nn.Linear(OWN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 1))
    rates = {}
    with torch.no_grad():
        for batch in BATCHES:
            own = torch.rand(batch, OWN)
            cand = torch.rand(batch, K, CAND)
            for sample in (0, 1):
                def forward():
                    joined = torch.cat([own.unsqueeze(1).expand(batch, K, OWN), cand], dim=2)
                    probs = torch.softmax(scorer(joined).squeeze(2), dim=1)
                    v = value(own)
                    if sample:
                        a = torch.multinomial(probs, 1)
                        torch.log(probs.gather(1, a))
                    return v
                calls, t0 = 0, time.perf_counter()
                while calls < 3 or time.perf_counter() - t0 < min_time:
                    forward()
                    calls += 1
                rates[(batch, sample)] = batch * calls / (time.perf_counter() - t0)
    return rates


def marlsim_rates(bench):
    out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_min_time=0.2",
                          "--benchmark_filter=BM_actor_critic/.*/1/"], check=True, capture_output=True, text=True)
    rates = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        _, batch, _threads, sample = b["name"].split("/")
        rates[(int(batch), int(sample))] = b["decisions_per_s"]
    return rates


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", default="build/bin/bench_inference", help="the bench_inference binary")
    p.add_argument("--install-torch", action="store_true", help="apt-get install python3-torch first")
    p.add_argument("--min-time", type=float, default=0.5, help="seconds per PyTorch measurement")
    args = p.parse_args()
    if args.install_torch:
        subprocess.run(["apt-get", "install", "-y", "python3-torch"], check=True)
    try:
        import torch
    except ImportError:
        sys.exit("pytorch_inference.py: PyTorch is not installed (run with --install-torch)")
    ours = marlsim_rates(args.bench)
    theirs = torch_rates(torch, args.min_time)
    print(f"{'batch':>6} {'sample':>6} {'marlsim dec/s':>14} {'pytorch dec/s':>14} {'ratio':>7}   (1 thread, K = {K})")
    for batch in BATCHES:
        for sample in (0, 1):
            m, t = ours[(batch, sample)], theirs[(batch, sample)]
            print(f"{batch:>6} {sample:>6} {m:>14,.0f} {t:>14,.0f} {m / t:>7.2f}")


if __name__ == "__main__":
    main()
