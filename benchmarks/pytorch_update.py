#!/usr/bin/python3
"""The PyTorch side of benchmarks/bench_update.cpp: the same networks, losses and 4,096-sample
minibatch, one PPO update step (forward, backward, optimizer), and the marlsim / PyTorch time
ratios from one run of both (issue 12's targets: actor-critic <= 0.7, central critic <= 1.0).
The marlsim side of the actor-critic is PpoTrainer::update (its forward also gathers the minibatch and
joins each candidate row with its 20 own features; here the 50 features per row are given directly).

  /usr/bin/python3 benchmarks/pytorch_update.py [--bench build/bin/bench_update]
                                                [--threads 1 2] [--steps 10] [--install-torch]

Needs Debian's python3-torch; --install-torch installs it and OpenBLAS with apt-get (never
needed by CI). Debian's torch does its matrix products through the system BLAS (libblas.so.3):
with only netlib's reference BLAS installed that is ~25x slower than OpenBLAS and the ratios
mean nothing, so the header prints which BLAS was loaded. OpenBLAS may also misdetect a
virtual CPU (as "Prescott" here) and use SSE3 kernels: set OPENBLAS_CORETYPE (SkylakeX or
Haswell) to the CPU's real level. Each thread count runs in its own PyTorch process with
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set, since OpenBLAS reads them once at load.
Both sides run one after the other on the same machine, so a loaded machine skews both, but
not necessarily equally: report ratios from one run and say how loaded it was.
"""
import os
import argparse
import json
import subprocess
import sys
import time

SAMPLES = 4096
CANDIDATES = 16


def install_torch():
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "python3-torch", "libopenblas0-pthread"],
                   check=True)


def loaded_blas():
    """The BLAS library this process loaded (after torch did a matrix product)."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return ", ".join(sorted(libs)) or "none found"


def pytorch_worker(threads, steps):
    """Runs in a child process: PyTorch times of both networks at one thread count, as JSON."""
    import torch
    torch.set_num_threads(threads)
    result = {"actor_critic": actor_critic(torch, steps), "central_critic": central_critic(torch, steps),
              "torch": torch.__version__, "blas": loaded_blas()}
    print(json.dumps(result))


def mlp(torch, sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def clipped_value_loss(torch, values, old_values, returns, clip=0.2):
    clipped = old_values + (values - old_values).clamp(-clip, clip)
    return 0.5 * torch.max((values - returns) ** 2, (clipped - returns) ** 2).mean()


def time_steps(torch, step_parts, steps):
    """step_parts() -> (forward, backward, optimizer) callables of one step; mean ms of each."""
    totals = [0.0, 0.0, 0.0]
    for i in range(steps + 1):  # the first step warms up and is not counted
        forward, backward, optimizer = step_parts()
        t0 = time.perf_counter()
        loss = forward()
        t1 = time.perf_counter()
        backward(loss)
        t2 = time.perf_counter()
        optimizer()
        t3 = time.perf_counter()
        if i > 0:
            totals = [totals[0] + (t1 - t0), totals[1] + (t2 - t1), totals[2] + (t3 - t2)]
    return [1e3 * t / steps for t in totals]


def actor_critic(torch, steps):
    g = torch.Generator().manual_seed(1)
    candidates = torch.rand(SAMPLES * CANDIDATES, 50, generator=g) * 2 - 1
    observations = torch.rand(SAMPLES, 50, generator=g) * 2 - 1
    mask = torch.rand(SAMPLES, CANDIDATES, generator=g) >= 0.25
    mask[:, 0] = True
    actions = torch.zeros(SAMPLES, 1, dtype=torch.long)
    old_log_prob = torch.log(torch.tensor(0.25)) + 0.3 * torch.randn(SAMPLES, generator=g)
    advantages = torch.randn(SAMPLES, generator=g)
    old_values = 0.1 * torch.randn(SAMPLES, generator=g)
    returns = torch.randn(SAMPLES, generator=g)
    actor, critic = mlp(torch, [50, 128, 128, 1]), mlp(torch, [50, 128, 128, 1])
    params = list(actor.parameters()) + list(critic.parameters())
    adam = torch.optim.Adam(params, lr=5e-4, eps=1e-5)

    def parts():
        def forward():
            scores = actor(candidates).view(SAMPLES, CANDIDATES).masked_fill(~mask, float("-inf"))
            log_probs = torch.log_softmax(scores, dim=1)
            entropy = -(log_probs.exp() * log_probs.masked_fill(~mask, 0.0)).sum(dim=1)
            ratio = torch.exp(log_probs.gather(1, actions).squeeze(1) - old_log_prob)
            ppo = -torch.min(ratio * advantages, ratio.clamp(0.8, 1.2) * advantages).mean()
            values = critic(observations).squeeze(1)
            return ppo - 0.01 * entropy.mean() + clipped_value_loss(torch, values, old_values, returns)

        def backward(loss):
            adam.zero_grad(set_to_none=False)
            loss.backward()

        def optimizer():
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            adam.step()

        return forward, backward, optimizer

    return time_steps(torch, parts, steps)


def central_critic(torch, steps):
    g = torch.Generator().manual_seed(2)
    states = torch.rand(SAMPLES, 512, generator=g) * 2 - 1
    old_values = 0.1 * torch.randn(SAMPLES, generator=g)
    returns = torch.randn(SAMPLES, generator=g)
    critic = mlp(torch, [512, 256, 256, 1])
    params = list(critic.parameters())
    adam = torch.optim.Adam(params, lr=5e-4, eps=1e-5)

    def parts():
        def forward():
            return clipped_value_loss(torch, critic(states).squeeze(1), old_values, returns)

        def backward(loss):
            adam.zero_grad(set_to_none=False)
            loss.backward()

        def optimizer():
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            adam.step()

        return forward, backward, optimizer

    return time_steps(torch, parts, steps)


def marlsim_times(bench, threads):
    """{(name, threads): [forward, backward, optimizer] ms} from one bench_update run."""
    out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_filter=BM_update_"],
                         check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        name, t = b["name"].split("/threads:")
        if int(t) in threads:
            times[(name.removeprefix("BM_update_"), int(t))] = [b["forward_ms"], b["backward_ms"], b["optimizer_ms"]]
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default="build/bin/bench_update", help="the bench_update program")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=10, help="timed PyTorch steps per case")
    parser.add_argument("--install-torch", action="store_true",
                        help="apt-get install python3-torch and libopenblas0-pthread first")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # internal: one PyTorch thread count
    args = parser.parse_args()
    if args.worker:
        pytorch_worker(args.worker, args.steps)
        return
    if args.install_torch:
        install_torch()
    try:
        import torch  # noqa: F401  (only checks that it is there; the workers use it)
    except ImportError:
        sys.exit("pytorch_update.py: PyTorch is not installed (run with --install-torch, or apt-get install "
                 "python3-torch)")

    ours = marlsim_times(args.bench, args.threads)
    targets = {"actor_critic": 0.7, "central_critic": 1.0}
    header = False
    for threads in args.threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        worker = subprocess.run([sys.executable, __file__, "--worker", str(threads), "--steps", str(args.steps)],
                                env=env, check=True, capture_output=True, text=True)
        pytorch = json.loads(worker.stdout.strip().splitlines()[-1])
        if not header:
            print(f"torch {pytorch['torch']}, BLAS {pytorch['blas']}, "
                  f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
            print("times in ms per update step (forward / backward / optimizer = total)")
            print(f"{'network':<16}{'threads':>8}  {'marlsim':>30}  {'PyTorch':>30}  {'ratio':>6}  target")
            header = True
        for name in ("actor_critic", "central_critic"):
            theirs = pytorch[name]
            mine = ours[(name, threads)]
            fmt = lambda t: f"{t[0]:.1f} / {t[1]:.1f} / {t[2]:.2f} = {sum(t):.1f}"
            ratio = sum(mine) / sum(theirs)
            print(f"{name:<16}{threads:>8}  {fmt(mine):>30}  {fmt(theirs):>30}  {ratio:>6.2f}  <= {targets[name]}")


if __name__ == "__main__":
    main()
