#!/usr/bin/env python3
"""Learning gate 3 (issue 12): a trained hierrl against ray-hybrid and random on source study 3's
grid (configs/hierrl-alibaba2017.toml: 2-5 nodes x 52/171/292 tasks, the trace window the
scenario documents, evaluation episodes 0..E-1, never used in training). Runs `marlsim run`
twice per grid point (paired differences from ray-hybrid, then from random, on the same
episodes) and prints a markdown table: mean completion with its 95 % CI per policy, and the
paired difference of hierrl from each baseline with its CI, also as a share of the baseline.

usage: analysis/hierrl_gate.py MARLSIM CHECKPOINT [EPISODES]
"""
import json
import os
import subprocess
import sys
import tempfile

SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "hierrl-alibaba2017.toml")


def run(marlsim, checkpoint, nodes, tasks, baseline, episodes, out):
    subprocess.run([marlsim, "run", SCENARIO, "--policy", "hierrl,ray-hybrid,random", "--baseline", baseline,
                    "--episodes", str(episodes), "--quiet", "--summary-json", out,
                    "--set", f"agents.checkpoint={checkpoint}", "--set", f"cluster.nodes={nodes}",
                    "--set", f"workload.trace.max_tasks={tasks}"], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return {p["policy"]: p for p in json.load(f)["policies"]}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    marlsim, checkpoint = sys.argv[1], sys.argv[2]
    episodes = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    print(f"{episodes} evaluation episodes per grid point; ± is the 95 % CI over episodes; differences are paired "
          "(hierrl minus the baseline, same episodes), also as % of the baseline's mean.\n")
    print("| nodes | tasks | hierrl s | ray-hybrid s | random s | hierrl - ray-hybrid s | % | hierrl - random s | % |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    gains_ray, gains_random = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for nodes in (2, 3, 4, 5):
            for tasks in (52, 171, 292):
                vs_ray = run(marlsim, checkpoint, nodes, tasks, "ray-hybrid", episodes, os.path.join(tmp, "a.json"))
                vs_rnd = run(marlsim, checkpoint, nodes, tasks, "random", episodes, os.path.join(tmp, "b.json"))
                h, r, q = vs_ray["hierrl"], vs_ray["ray-hybrid"], vs_ray["random"]
                d_ray = h["difference_from_baseline"]
                d_rnd = vs_rnd["hierrl"]["difference_from_baseline"]
                g_ray = -d_ray["mean_completion_s"] / r["mean_completion_s"] * 100
                g_rnd = -d_rnd["mean_completion_s"] / q["mean_completion_s"] * 100
                gains_ray.append(g_ray)
                gains_random.append(g_rnd)
                cell = lambda p: f"{p['mean_completion_s']:.1f} ± {p['mean_completion_s_ci95']:.1f}"
                print(f"| {nodes} | {tasks} | {cell(h)} | {cell(r)} | {cell(q)} | "
                      f"{d_ray['mean_completion_s']:.1f} ± {d_ray['mean_completion_s_ci95']:.1f} | {-g_ray:+.1f} | "
                      f"{d_rnd['mean_completion_s']:.1f} ± {d_rnd['mean_completion_s_ci95']:.1f} | {-g_rnd:+.1f} |")
    print(f"\nhierrl's mean completion is lower than ray-hybrid's by {min(gains_ray):.1f} to {max(gains_ray):.1f} % "
          f"(mean over the 12 points {sum(gains_ray) / 12:.1f} %) and lower than random's by {min(gains_random):.1f} "
          f"to {max(gains_random):.1f} % (mean {sum(gains_random) / 12:.1f} %).")


if __name__ == "__main__":
    main()
