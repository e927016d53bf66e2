"""Cost of understanding one message, with and without SignpostNeeds: latency, Rasa process RSS, training time.

    .venv/bin/python bench/bench_understand.py [--requests 300] [--train]

Two models: the project's (config.yml) and the same pipeline without ``bot.nlu.needs.SignpostNeeds`` (trained
once into models/, reused while the training data is unchanged). For each, a ``rasa run --enable-api`` server on a
free loopback port gets single messages on ``POST /model/parse``, one at a time (no batching): p50/p95 latency,
and the server's RSS after loading and after the run. ``--train`` also times a full ``rasa train --force`` of
each config. Loopback only; bounded by --requests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.stack import free_port, stop_processes, wait_until_up  # noqa: E402
from bot.training import model_path, training_fingerprint  # noqa: E402

NEEDS_COMPONENT = "bot.nlu.needs.SignpostNeeds"
# typical turns, short to long: answers, commands, situations in several registers
MESSAGES = [
    "yes", "no", "67", "help", "more", "Halifax", "thanks", "hi there",
    "my dad died last week", "lost my job in Toronto", "they're turning off our gas on friday",
    "pregnant, no insurance, in texas", "can't afford the bus to get to work", "what's the weather tomorrow",
    "I'm 72 and my pension doesn't cover the heating, can I get help with the bills?",
    "my husband left me with three kids and the rent is due, I don't know where to start",
    "We've lived in this flat for six years and the landlord has just told us he's selling and we have two "
    "months to leave. My partner works nights and I look after our youngest, who is disabled. Is there anything "
    "that helps with a deposit or with finding somewhere accessible?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def config_without_needs(target: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    config["pipeline"] = [c for c in config["pipeline"] if c.get("name") != NEEDS_COMPONENT]
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def train(config: Path, name: str, out: Path, force: bool) -> tuple[Path, float | None]:
    target = out / f"{name}.tar.gz"
    if target.is_file() and not force:
        return target, None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", "domain", "--data",
                    "data", "--out", str(out), "--fixed-model-name", name, "--force"], cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return target, time.perf_counter() - start


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def parse(url: str, text: str) -> dict:
    request = urllib.request.Request(f"{url}/model/parse", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def measure(model: Path, requests: int, workdir: Path) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / f"rasa-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--enable-api", "-m", str(model), "-i",
                                 "127.0.0.1", "-p", str(port), "--endpoints", str(workdir / "none.yml")],
                                cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"{url}/status", proc, log)
        for text in MESSAGES:  # warm-up: first calls build caches
            parse(url, text)
        loaded = rss_mb(proc.pid)
        latencies = []
        for i in range(requests):
            start = time.perf_counter()
            parse(url, MESSAGES[i % len(MESSAGES)])
            latencies.append((time.perf_counter() - start) * 1000)
        return {"p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
                "rss_loaded_mb": round(loaded), "rss_after_mb": round(rss_mb(proc.pid))}
    finally:
        stop_processes([proc])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--train", action="store_true", help="also time a full training of each config")
    args = parser.parse_args(argv)
    models = PROJECT_ROOT / "models"
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-understand-") as tmp:
        workdir = Path(tmp)
        (workdir / "none.yml").write_text("{}\n")
        without_config = config_without_needs(workdir / "config-without-needs.yml")
        with_model, with_time = train(PROJECT_ROOT / "config.yml", model_path().name.removesuffix(".tar.gz"), models,
                                      args.train)
        without_model, without_time = train(without_config, f"bench-without-needs-{training_fingerprint()}", models,
                                            args.train)
        for label, model, seconds in (("without SignpostNeeds", without_model, without_time),
                                      ("with SignpostNeeds", with_model, with_time)):
            results[label] = measure(model, args.requests, workdir)
            if seconds is not None:
                results[label]["train_s"] = round(seconds)
    print(f"{'pipeline':24} {'p50 ms':>7} {'p95 ms':>7} {'RSS loaded':>11} {'RSS after':>10} {'train s':>8}")
    for label, r in results.items():
        print(f"{label:24} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['rss_loaded_mb']:9d}MB {r['rss_after_mb']:8d}MB "
              f"{r.get('train_s', '-'):>8}")
    a, b = results["without SignpostNeeds"], results["with SignpostNeeds"]
    print(f"SignpostNeeds adds p50 {b['p50_ms'] - a['p50_ms']:+.1f} ms, p95 {b['p95_ms'] - a['p95_ms']:+.1f} ms, "
          f"RSS {b['rss_after_mb'] - a['rss_after_mb']:+d} MB ({args.requests} single-message parses each)")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
