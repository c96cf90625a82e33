"""Benchmark the store's import and edits against a plain pandas-to-SQL load, side by side.

Usage: ``python benchmarks/store.py [--sizes 1000 10000] [--postgres URL]``. Each size is a GBK
CSV of AEDs in Wuxi as a partner exports it (编号, 类型, 名称, 经度, 纬度 in GCJ-02, 坐标系,
状态, 开放时间, 安装日期, 电极片有效期), made in memory.

Cases
-----
* **import**: :func:`geo.imports.read_resource_file` (decode, header roles, values, CRS,
  district from the point) + :meth:`Store.preview_import` (every row validated, diffed against
  the store) + :meth:`Store.commit_import` (one transaction, versions, audit entries) into an
  empty store.
* **re-import**: the same file again into the filled store (everything unchanged: nothing
  written but the whole check runs).
* **peer**: ``pandas.read_csv(encoding="gbk")`` + ``DataFrame.to_sql`` into a fresh table of
  the same database: no mapping, no validation, no CRS conversion, no audit. Its best case.
* **edit**: one :meth:`Store.update` of one field (validated record, version check, audit),
  median of 50, against the peer's ``UPDATE ... WHERE id = ?`` through SQLAlchemy.

Times are medians of 3 warm runs (a fresh store each), 1 for the largest size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.io import wuxi_points
from benchmarks.timing import fmt, timed

SIZES = (1_000, 10_000)
PASSWORD = "bench-password-1"


def make_csv(n: int, seed: int = 11) -> bytes:
    """``n`` AED rows in Wuxi, GCJ-02 coordinates, GBK, Chinese headers."""
    from geo.crs import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(*wuxi_points(n, seed))
    lines = ["编号,类型,名称,经度,纬度,坐标系,状态,开放时间,安装日期,电极片有效期"]
    lines += [f"B-{i:06d},AED,测试点{i},{x:.6f},{y:.6f},高德,在用,24小时,2023-05-01,2027-05-01"
              for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def fresh_store(url: str | None):
    """An empty store (no demo) with one editor; a SQLite file in a temp folder by default."""
    from geo import store as st

    st.BCRYPT_ROUNDS = 4  # hashing is not what is measured
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='rcd-bench-')}/store.sqlite"
    else:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            for name in ("resources", "audit", "users", "login_attempts", "meta",
                         "alembic_version", "peer"):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {name} CASCADE"))
        engine.dispose()
    store = st.open_store(url, seed=False)
    admin = store.create_user("bench.admin", PASSWORD, "admin")
    return store, store.create_user("bench.editor", PASSWORD, "editor", by=admin)


def run_import(data: bytes, store, user) -> int:
    from geo.imports import read_resource_file

    rf = read_resource_file(data, "aeds.csv", boundaries=store.dataset().boundaries,
                            max_bytes=len(data) + 1, max_rows=10 * len(data))
    preview = store.preview_import(rf.table, user, rows=rf.rows,
                                   keep=rf.source.get("absent") or ())
    if not preview.has_changes:
        return 0
    return store.commit_import(preview, user).added


def peer_load(data: bytes, engine: sa.Engine) -> int:
    frame = pd.read_csv(__import__("io").BytesIO(data), encoding="gbk")
    return frame.to_sql("peer", engine, if_exists="replace", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to run on as well")
    args = parser.parse_args()
    backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    print("| backend | rows | import s | re-import s | peer to_sql s | import / peer | "
          "rows/s |")
    print("|---|---|---|---|---|---|---|")
    edits: dict[str, tuple[float, float]] = {}
    for backend, url in backends:
        for n in args.sizes:
            data = make_csv(n)
            repeats = 1 if n >= max(args.sizes) and n > 1000 else 3
            if url is None:  # a fresh empty store per run, made before the clock starts
                ready = [fresh_store(url) for _ in range(repeats + 1)]
            stores = []

            def once(ready=ready if url is None else None, stores=stores, data=data,
                     url=url) -> int:
                store, user = ready.pop() if ready else fresh_store(url)
                stores.append((store, user))
                return run_import(data, store, user)

            t_import, added = timed(once, repeats)
            assert added == n, (added, n)
            store, user = stores[-1]
            t_again, again = timed(lambda s=store, u=user, d=data: run_import(d, s, u), repeats)
            assert again == 0
            t_peer, _ = timed(lambda s=store, d=data: peer_load(d, s.engine), repeats)
            print(f"| {backend} | {n:,} | {fmt(t_import)} | {fmt(t_again)} | {fmt(t_peer)} | "
                  f"{fmt(t_import / t_peer)} | {n / t_import:,.0f} |")
        ids = store.records()["id"].tolist()[:50]
        times = []
        for i, rid in enumerate(ids):
            version = store.record(rid)["version"]
            start = time.perf_counter()
            store.update(user, rid, {"guardian": f"值班员{i}"}, version)
            times.append(time.perf_counter() - start)
        peer_times = []
        with store.engine.begin() as conn:
            for i, rid in enumerate(ids):
                start = time.perf_counter()
                conn.execute(sa.text("UPDATE peer SET 名称 = :v WHERE 编号 = :i"),
                             {"v": f"值班员{i}", "i": rid})
                peer_times.append(time.perf_counter() - start)
        edits[backend] = (float(np.median(times)), float(np.median(peer_times)))
        for s, _ in stores:
            s.close()
    print()
    print("| backend | one edit ms (validated, versioned, audited) | peer UPDATE ms | ratio |")
    print("|---|---|---|---|")
    for backend, (mine, peer) in edits.items():
        print(f"| {backend} | {mine * 1e3:.1f} | {peer * 1e3:.2f} | {mine / peer:.0f} |")


if __name__ == "__main__":
    main()
