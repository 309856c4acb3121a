"""Import a generated ~50 MB cadres CSV; print the time and the peak memory growth.

    python benchmarks/bench_import.py [--mb 50] [--keep DIR]

Peak RSS comes from `resource.getrusage` (the whole process, so it includes the file
generation's own small footprint); the Python-heap peak during the import from tracemalloc
(run separately with --tracemalloc, which slows the import down several times).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from roster.importer import import_file
from roster.store import open_db


def rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def write_cadres(path: Path, megabytes: float, units: int = 60, seed: int = 7) -> int:
    """A valid cadres file of about `megabytes` MB referring to units U1…U{units}."""
    rng = random.Random(seed)
    transports = ["walk", "bicycle", "e-bike", "bus", "car"]
    target = int(megabytes * 1024 * 1024)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(
            "code,name,gender,birth_date,unit,phone,party_member,home_lat,home_lon,transport,"
            "max_commute_km,night_ok,status,notes\n"
        )
        size = 0
        while size < target:
            rows += 1
            line = (
                f"C{rows:07d},王{rows % 997}明,{'MF'[rows % 2]},"
                f"19{rng.randint(60, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                f"U{rng.randint(1, units)},1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d},"
                f"{rng.randint(0, 1)},{40 + rng.random():.5f},{116 + rng.random():.5f},"
                f"{rng.choice(transports)},,1,active,\n"
            )
            size += len(line.encode())
            f.write(line)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", type=Path, help="folder to write the file and database in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_import_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cadres.csv"
    rows = write_cadres(path, args.mb)
    db_path = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    with db.atomic():
        db["units"].insert_all({"name": f"U{i}"} for i in range(1, 61))
    size_mb = path.stat().st_size / 1024 / 1024
    before = rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    report = import_file(db, "cadres", path, actor="bench")
    elapsed = time.perf_counter() - start
    after = rss_mb()
    print(f"file: {size_mb:.1f} MB, {rows} rows; {report}")
    print(f"time: {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
    print(
        f"peak RSS: {before:.1f} MB before the import, {after:.1f} MB after "
        f"(growth {after - before:.1f} MB)"
    )
    if args.tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc peak during the import: {peak / 1024 / 1024:.1f} MB")


if __name__ == "__main__":
    main()
