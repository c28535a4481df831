"""Runs TrainingLab's bench and the seed's PyTorch workload alternately and prints the ratio with its spread.

A shared machine's speed drifts for seconds at a time, so one run of each side says little: this script
alternates them (bench, PyTorch, bench, PyTorch, ...), one run of each per round, so a slow spell spoils one
round of both rather than all runs of one side. It reports each side's median and range in samples/s, and the
ratio of the medians with the range of the per-round ratios. Nothing in the Swift project needs this file.

    swift build -c release --product bench          # or use .build/debug/bench: the engine is optimised
    python3 scripts/compare_with_pytorch.py --rounds 5 --epochs 5
    python3 scripts/compare_with_pytorch.py --bench-args "--threads 1"      # TrainingLab on one thread
    python3 scripts/compare_with_pytorch.py --with-one-thread    # also bench --threads 1 in every round

Exit status 2 for bad arguments (argparse), 1 when a run fails.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def find_bench():
    for path in (".build/release/bench", ".build/debug/bench"):
        full = os.path.join(ROOT, path)
        if os.path.exists(full):
            return full
    sys.exit("compare_with_pytorch: no bench binary; run `swift build --product bench` first")


def run_json(command):
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(f"compare_with_pytorch: {' '.join(command)} failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per run, both sides (default 5)")
    parser.add_argument("--bench", default=None, help="path of the bench binary (default: .build/release or debug)")
    parser.add_argument("--bench-args", default="", help="extra bench flags, e.g. '--threads 1'")
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch threads (default 1)")
    parser.add_argument("--with-one-thread", action="store_true",
                        help="also run bench --threads 1 in every round (the default must not lose to it)")
    args = parser.parse_args()
    if args.rounds < 1 or args.epochs < 1:
        parser.error("--rounds and --epochs must be at least 1")

    bench = args.bench or find_bench()
    swift_cmd = [bench, "--only", "seed", "--json", "--runs", "1", "--epochs", str(args.epochs)]
    swift_cmd += shlex.split(args.bench_args)
    torch_cmd = [sys.executable, os.path.join(HERE, "pytorch_seed_bench.py"), "--runs", "1",
                 "--epochs", str(args.epochs), "--threads", str(args.torch_threads)]

    swift, torch, one = [], [], []
    for r in range(args.rounds):
        s = run_json(swift_cmd)["seed_samples_per_second"]
        t = run_json(torch_cmd)["median_samples_per_second"]
        swift.append(s)
        torch.append(t)
        line = f"round {r + 1}: TrainingLab {s:,.0f} samples/s, PyTorch {t:,.0f} samples/s, ratio {s / t:.2f}x"
        if args.with_one_thread:
            o = run_json(swift_cmd + ["--threads", "1"])["seed_samples_per_second"]
            one.append(o)
            line += f"; TrainingLab --threads 1 {o:,.0f} samples/s (default / one thread {s / o:.2f}x)"
        print(line, flush=True)

    ratios = [s / t for s, t in zip(swift, torch)]
    ms, mt = statistics.median(swift), statistics.median(torch)
    print(f"TrainingLab ({' '.join(swift_cmd[1:])}): median {ms:,.0f} samples/s, range {min(swift):,.0f}-{max(swift):,.0f}")
    print(f"PyTorch ({args.torch_threads} thread{'s' if args.torch_threads > 1 else ''}): "
          f"median {mt:,.0f} samples/s, range {min(torch):,.0f}-{max(torch):,.0f}")
    print(f"ratio of medians: {ms / mt:.2f}x (per-round ratios {min(ratios):.2f}-{max(ratios):.2f}x, "
          f"{args.rounds} rounds of {args.epochs} epochs)")
    if one:
        per_round = [s / o for s, o in zip(swift, one)]
        print(f"TrainingLab --threads 1: median {statistics.median(one):,.0f} samples/s, range "
              f"{min(one):,.0f}-{max(one):,.0f}; default / one thread: {ms / statistics.median(one):.2f}x "
              f"(per round {min(per_round):.2f}-{max(per_round):.2f}x)")


if __name__ == "__main__":
    main()
