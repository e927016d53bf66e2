"""REST turn latency and throughput: Signpost vs a stock `rasa init` bot, side by side, on this machine.

    .venv/bin/python bench/bench_turns.py [--signpost-url http://127.0.0.1:5005] [--turns 120]

It first times a full training (skip with --skip-training-time). Without --signpost-url it starts Signpost's Rasa + action servers itself (SQLite in a temp dir). The stock bot
is created with `rasa init --no-prompt` and trained once into ~/.cache/signpost-bench/stock (reused later).
Each level runs C concurrent workers; each worker holds back-to-back conversations of its bot's script. Prints p50/p95/p99 per
turn and turns per second, then Signpost's p50 as a multiple of the stock bot's. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.stack import free_port, running_stack, stop_processes, wait_until_up  # noqa: E402

SIGNPOST_SCRIPT = ["hello", "I lost my job and I live in Halifax", "thanks", "bye"]
STOCK_SCRIPT = ["hello", "I am sad", "yes", "bye"]
LEVELS = (1, 10, 50)
STOCK_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "signpost-bench" / "stock"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run_level(url: str, script: list[str], concurrency: int, turns: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    per_worker = max(len(script), turns // concurrency)

    async def conversation(session: aiohttp.ClientSession) -> None:
        """One worker: back-to-back conversations, each the whole script under a new sender (as citizens do)."""
        nonlocal errors
        for i in range(per_worker):
            if i % len(script) == 0:
                sender = f"bench-{uuid.uuid4().hex[:10]}"
            start = time.perf_counter()
            try:
                async with session.post(f"{url}/webhooks/rest/webhook",
                                        json={"sender": sender, "message": script[i % len(script)]}) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(conversation(session) for _ in range(2)))  # warm-up
        latencies.clear()
        wall = time.perf_counter()
        await asyncio.gather(*(conversation(session) for _ in range(concurrency)))
        wall = time.perf_counter() - wall
    return {"p50": statistics.median(latencies), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "rps": len(latencies) / wall, "n": len(latencies), "errors": errors}


def measure(name: str, url: str, script: list[str], turns: int) -> dict[int, dict[str, float]]:
    results = {}
    for level in LEVELS:
        results[level] = asyncio.run(run_level(url, script, level, turns))
        r = results[level]
        print(f"{name:9} c={level:<3} n={r['n']:<4} p50={r['p50']:7.1f} ms  p95={r['p95']:7.1f} ms  "
              f"p99={r['p99']:7.1f} ms  {r['rps']:6.1f} turns/s  errors={r['errors']}", flush=True)
    return results


def time_training(workdir: Path) -> float:
    """Seconds for a full `rasa train --force` of Signpost's config, domain and data into a scratch folder."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain", "--data",
                    "data", "--out", str(workdir / "models"), "--force"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def stock_model() -> Path:
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz")) if STOCK_DIR.is_dir() else []
    if models:
        return models[-1]
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    print(f"creating and training the stock `rasa init` bot in {STOCK_DIR} (once)…", flush=True)
    done = subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"rasa init failed:\n{done.stderr[-3000:]}")
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1]


@contextlib.contextmanager
def stock_server(model: Path, workdir: Path):
    port = free_port()
    log = workdir / "stock.log"
    proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--port", str(port), "--model", str(model),
                             "--interface", "127.0.0.1"], cwd=STOCK_DIR, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_processes([proc])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signpost-url", help="an already running Signpost Rasa server (default: start one)")
    parser.add_argument("--turns", type=int, default=200, help="turns per concurrency level (default 200)")
    parser.add_argument("--skip-training-time", action="store_true", help="do not time a full training first")
    args = parser.parse_args()

    from bot.training import train

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not args.skip_training_time:
            print(f"training from scratch (rasa train --force): {time_training(workdir):.0f} s", flush=True)
        with contextlib.ExitStack() as stack:
            url = args.signpost_url
            if not url:
                model = train(PROJECT_ROOT)
                url = stack.enter_context(running_stack(f"sqlite:///{workdir}/bench.db", model, workdir)).settings.rasa_url
            signpost = measure("signpost", url, SIGNPOST_SCRIPT, args.turns)
        with stock_server(stock_model(), workdir) as stock_url:
            stock = measure("stock", stock_url, STOCK_SCRIPT, args.turns)
    print("\nSignpost / stock (p50 ratio, target ≤ 1.5 at c=1):")
    for level in LEVELS:
        ratio = signpost[level]["p50"] / stock[level]["p50"]
        print(f"  c={level:<3} p50 {signpost[level]['p50']:7.1f} / {stock[level]['p50']:7.1f} ms = {ratio:4.2f}×   "
              f"throughput {signpost[level]['rps']:6.1f} / {stock[level]['rps']:6.1f} turns/s")


if __name__ == "__main__":
    main()
