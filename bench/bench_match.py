"""Match latency on synthetic catalogues of 1k, 10k and 100k services, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_match.py [--sizes 1000 10000 100000] [--queries 300] [--no-postgres]

How the synthetic catalogues grow: like real ones, by adding local services and places, not by piling services
onto the same nodes. National services are capped at 200 per country and provincial/state ones at 60 per
subdivision; the rest are local, about 30 per synthetic municipality (``US-TX-synth-0042``…) spread under the
real subdivisions. Each service has 1–2 life events and 0–3 eligibility rules. Profiles: a random municipality,
one random life event, a few random answers. A match reads the index (jurisdiction chain × life event) and the
candidate records, then evaluates and ranks them in Python; "cold" disables the per-version record cache.

Targets (issue): p95 ≤ 10 ms at 100k, and the 100k figure < 2× the 10k figure. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.db import make_engine, upgrade  # noqa: E402
from knowledge.catalogue import Catalogue, CatalogueFileData  # noqa: E402
from knowledge.loader import write_catalogue  # noqa: E402
from knowledge.match import _DocCache, match_profile  # noqa: E402
from knowledge.places import get_tree  # noqa: E402
from knowledge.vocab import load_vocabulary  # noqa: E402

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PER_COUNTRY, PER_SUBDIVISION, PER_MUNICIPALITY = 200, 60, 30
RULE_POOL = [
    {"criterion": "applicant_income", "values": [True]},
    {"criterion": "applicant_disability", "values": [True]},
    {"criterion": "applicant_date_of_birth", "op": "date", "values": [">=60years"]},
    {"criterion": "applicant_date_of_birth", "op": "date", "values": ["<65years"]},
    {"criterion": "applicant_marital_status", "values": ["widowed", "divorced"]},
    {"criterion": "applicant_relationship_to_the_deceased", "values": ["spouse", "child"]},
    {"criterion": "household_size", "op": "ge", "values": [3]},
    {"criterion": "applicant_dependents_children", "values": [True]},
]
ANSWERS = {"applicant_income": [True, False], "applicant_disability": [True, False],
           "applicant_date_of_birth": ["1950-03-01", "1980-06-15", "2001-01-01"],
           "applicant_marital_status": ["married", "widowed", "unmarried"],
           "applicant_relationship_to_the_deceased": ["spouse", "parent"], "household_size": [1, 2, 4]}


def synthetic(size: int, rng: random.Random) -> tuple[Catalogue, list[str]]:
    tree = get_tree()
    events = list(load_vocabulary().life_events)
    countries = ["CA", "US", "GB"]
    subdivisions = [c for c, n in tree.nodes.items() if n.parent in countries and not n.outside]
    national = min(size // 20, PER_COUNTRY * len(countries))
    provincial = min(size // 5, PER_SUBDIVISION * len(subdivisions))
    local = size - national - provincial
    municipalities = [f"{rng.choice(subdivisions)}-synth-{i:05d}" for i in range(max(1, local // PER_MUNICIPALITY))]
    areas = ([countries[i % 3] for i in range(national)] + [subdivisions[i % len(subdivisions)] for i in range(provincial)]
             + [municipalities[i % len(municipalities)] for i in range(local)])
    services = []
    for i, area in enumerate(areas):
        services.append({
            "id": f"bench:{i:06d}", "name": {"en": f"Synthetic service {i}", "fr": f"Service synthétique {i}"},
            "url": {"en": f"https://example.org/s/{i}"}, "service_areas": [area],
            "life_events": rng.sample(events, rng.choice((1, 2))),
            "eligibility": rng.sample(RULE_POOL, rng.randint(0, 3)),
            "status": "active", "source": {"id": str(i), "last_reviewed": "2026-11-23"},
        })
    data = CatalogueFileData(path="bench.yml", source={"id": "bench", "name": "Synthetic", "licence": "CC0"},
                             organizations=[], services=services, navigators=[])
    return Catalogue(files=[data]), municipalities


def profiles(municipalities: list[str], n: int, rng: random.Random) -> list[dict]:
    events = list(load_vocabulary().life_events)
    out = []
    for _ in range(n):
        keys = rng.sample(sorted(ANSWERS), rng.randint(0, 3))
        out.append({"life_events": [rng.choice(events)], "location": rng.choice(municipalities),
                    "answers": {k: rng.choice(ANSWERS[k]) for k in keys}, "as_of": "2026-11-23"})
    return out


def measure(engine, queries: list[dict], cached: bool) -> tuple[float, float, float]:
    cache = _DocCache() if cached else None
    vocab, tree = load_vocabulary(), get_tree()
    for q in queries[:20]:  # warm-up (connection pool, statement caches)
        match_profile(engine, q, vocab=vocab, tree=tree, cache=cache)
    times, candidates = [], []
    for q in queries:
        start = time.perf_counter()
        out = match_profile(engine, q, vocab=vocab, tree=tree, cache=cache)
        times.append((time.perf_counter() - start) * 1000)
        candidates.append(len(out["services"]))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.mean(candidates)


def bench_backend(name: str, url: str, sizes: list[int], n_queries: int) -> list[tuple]:
    rows = []
    upgrade(url)
    engine = make_engine(url)
    for size in sizes:
        rng = random.Random(size)
        catalogue, municipalities = synthetic(size, rng)
        start = time.perf_counter()
        write_catalogue(engine, catalogue, get_tree())
        load_s = time.perf_counter() - start
        if name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        queries = profiles(municipalities, n_queries, rng)
        warm = measure(engine, queries, cached=True)
        cold = measure(engine, queries, cached=False)
        rows.append((name, size, len(municipalities), load_s, warm[2], warm[0], warm[1], cold[0], cold[1]))
        print(f"  {name:<10} {size:>7}: loaded in {load_s:.1f}s, p95 {warm[1]:.2f} ms (cold {cold[1]:.2f} ms)", flush=True)
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.sizes, args.queries)
    if not args.no_postgres:
        admin = create_engine(args.postgres_admin_url, future=True, isolation_level="AUTOCOMMIT")
        db = f"signpost_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db}"'))
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL not available ({exc.__class__.__name__}); skipping it")
        else:
            try:
                rows += bench_backend("postgresql", args.postgres_admin_url.rsplit("/", 1)[0] + f"/{db}", args.sizes, args.queries)
            finally:
                with admin.connect() as conn:
                    conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d "
                                      "AND pid <> pg_backend_pid()"), {"d": db})
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
        admin.dispose()
    print()
    print(f"{'backend':<11}{'services':>9}{'munis':>7}{'load s':>8}{'cands':>7}{'p50 ms':>8}{'p95 ms':>8}"
          f"{'cold p50':>10}{'cold p95':>10}")
    for r in rows:
        print(f"{r[0]:<11}{r[1]:>9}{r[2]:>7}{r[3]:>8.1f}{r[4]:>7.1f}{r[5]:>8.2f}{r[6]:>8.2f}{r[7]:>10.2f}{r[8]:>10.2f}")
    for backend in ("sqlite", "postgresql"):
        by_size = {r[1]: r for r in rows if r[0] == backend}
        if 10_000 in by_size and 100_000 in by_size:
            ratio = by_size[100_000][6] / by_size[10_000][6]
            print(f"{backend}: p95 100k / 10k = {ratio:.2f} (target < 2); p95 at 100k = {by_size[100_000][6]:.2f} ms "
                  f"(target ≤ 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
