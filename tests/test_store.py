"""The data store on SQLite (a tmp file) and on a real PostgreSQL server, test by test.

PostgreSQL: ``RCD_TEST_POSTGRES_URL`` (a server URL with the right to create databases, as CI
sets it), else a throwaway PostgreSQL server started here from the Debian binaries
(``initdb`` + ``pg_ctl`` on 127.0.0.1, as the ``postgres`` user when run as root). Each test
gets a fresh database. When neither works the PostgreSQL cases fail: they are never skipped.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geopandas.testing import assert_geodataframe_equal

from geo import store as st
from geo.crs import to_wgs84
from geo.datasets import load_demo, read_resources_table
from geo.errors import GeoError, ValidationError
from tests.conftest import resource_row

PG_BIN = Path(os.environ.get("RCD_PG_BIN", "/usr/lib/postgresql/15/bin"))
#: Seconds the 20 threads of the concurrency test keep editing, per backend (each edit is
#: validated in full, ~50 ms of CPU under one GIL, so ~15 edits a second); they share a few
#: records (two columns each), so many of their edits collide.
CONCURRENT_S = 10.0
THREADS = 20
SHARED_RECORDS = 10


# --- PostgreSQL ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    cmd = list(args)
    if os.geteuid() == 0:  # the server refuses to run as root
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


def _psycopg(url: str) -> sa.engine.URL:
    parsed = sa.engine.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[sa.engine.URL]:
    """A PostgreSQL server URL (maintenance database): from the environment or started here."""
    given = os.environ.get("RCD_TEST_POSTGRES_URL")
    if given:
        yield _psycopg(given)
        return
    folder = Path(tempfile.mkdtemp(prefix="rcd-pg-"))
    data = folder / "data"
    started = False
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        port = _free_port()
        options = (f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                     "-w", "-t", "60", "-o", options, "start")
        started = True
    except (OSError, subprocess.SubprocessError, LookupError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        log = folder / "server.log"
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"no PostgreSQL for the store tests: set RCD_TEST_POSTGRES_URL or install "
                    f"the server binaries in {PG_BIN} ({detail}; log {log})")
    try:
        yield sa.engine.make_url(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        if started:
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"rcd_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


class Clock:
    """A settable clock (UTC)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def opener(url: str) -> Iterator:
    """open_store on the test's database (no demo unless asked); every store closed after."""
    opened: list[st.Store] = []

    def _open(**kwargs) -> st.Store:
        kwargs.setdefault("seed", False)
        store = st.open_store(url, **kwargs)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


PASSWORD = "correct horse 42"


def people(store: st.Store) -> tuple[st.User, st.User, st.User, st.User]:
    """An admin (the first, created without a login), two editors and a viewer."""
    admin = store.create_user("Admin", PASSWORD, "admin")
    alice = store.create_user("alice", PASSWORD, "editor", by=admin)
    bob = store.create_user("bob", PASSWORD, "editor", by=admin)
    viewer = store.create_user("vera", PASSWORD, "viewer", by=admin)
    return admin, alice, bob, viewer


def store_row(ident: str, **kw) -> dict:
    """A relief store row (text cells) in Wuxi."""
    base = resource_row(id=ident, kind="relief_store", name=f"仓库{ident}", name_en=ident,
                        venue_type="", placement="", pads_expiry="", hours="",
                        capacity_m3="500", stock_family_kit="100", stock_tent="10")
    base.update(kw)
    return base


def table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), dtype=object).fillna("")


def dump(store: st.Store) -> dict[str, list]:
    """Every row of every table (and the schema revision), in a stable order."""
    out = {}
    with store.engine.connect() as conn:
        for tbl in [*st.METADATA.sorted_tables, sa.table("alembic_version",
                                                         sa.column("version_num"))]:
            rows = conn.execute(sa.select(tbl)).all()
            out[tbl.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def sqlite_bytes(store: st.Store) -> bytes | None:
    """The SQLite file's bytes after a checkpoint (everything committed is in the file)."""
    if store.dialect != "sqlite":
        return None
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(store.engine.url.database).read_bytes()


def seeded_with(store: st.Store, editor: st.User, *rows: dict) -> int:
    """Import ``rows`` into the store; return the new revision."""
    return store.commit_import(store.preview_import(table(*rows), editor), editor).revision


# --- opening, seeding, the dataset ----------------------------------------------------------

def test_empty_store_is_seeded_with_the_demo_once(opener):
    store = opener(seed=True)
    assert store.revision() == 1
    assert store.is_demo()
    demo_ids = read_resources_table(store.data_dir)["id"].tolist()
    assert store.records()["id"].tolist() == demo_ids
    assert store.seed_demo_if_empty() is False
    again = opener(seed=True)
    assert again.revision() == 1
    assert len(again.records()) == len(demo_ids)
    log = again.audit_log()
    assert log["action"].tolist() == ["seed"]
    assert log["after"].iloc[0] == {"file": "resources.csv", "rows": len(demo_ids)}


def test_dataset_is_the_demo_after_seeding_and_versions_follow_the_revision(opener):
    store = opener(seed=True)
    demo = load_demo()
    ds = store.dataset()
    assert ds.is_demo
    assert ds.resources["id"].tolist() == demo.resources["id"].tolist()
    assert_geodataframe_equal(ds.resources, demo.resources)
    assert_geodataframe_equal(ds.population, demo.population)
    assert store.dataset() is ds  # built once per revision
    assert ds.version == store.dataset().version and len(ds.version) == 32
    wuxi = store.dataset("wuxi")
    assert wuxi.resources["id"].tolist() == load_demo("wuxi").resources["id"].tolist()
    assert wuxi.version not in (ds.version, load_demo("wuxi").version)
    with pytest.raises(ValidationError, match="city must be one of"):
        store.dataset("nanjing")

    _, alice, *_ = people(store)
    rec = store.record("WX-AED-0001")
    store.update(alice, "WX-AED-0001", {"status": "maintenance"}, rec["version"])
    after = store.dataset()
    # one edited record does not make the other 833 real: the notice stays
    assert after.is_demo and store.is_demo()
    assert after.version != ds.version and store.dataset("wuxi").version != wuxi.version
    row = after.resources.set_index("id").loc["WX-AED-0001"]
    assert row["status"] == "maintenance"
    # the real registry replacing the demo ends it
    own = demo.resources.drop(columns="geometry").head(1).assign(id="OWN-1").astype(str)
    store.commit_import(store.preview_import(own, alice, replace=True), alice)
    real = store.dataset()
    assert real.resources["id"].tolist() == ["OWN-1"]
    assert not real.is_demo and not store.is_demo()


def test_revision_moves_with_every_write_and_only_then(opener):
    store = opener()
    _, alice, bob, _ = people(store)
    assert store.revision() == 0  # users are not resource data
    r = seeded_with(store, alice, store_row("S1"), store_row("S2"))
    assert r == 1 == store.revision()
    rec = store.add(alice, store_row("S3"))
    assert store.revision() == 2
    rec = store.update(alice, "S3", {"stock_tent": 11}, rec["version"])
    assert store.revision() == 3
    same = store.update(alice, "S3", {"stock_tent": "11"}, rec["version"])  # nothing changes
    assert same["version"] == rec["version"] and store.revision() == 3
    with pytest.raises(st.Conflict):
        store.update(bob, "S3", {"stock_tent": 12}, 1)
    assert store.revision() == 3
    rec = store.move(alice, "S3", 120.31, 31.58, rec["version"])
    assert store.revision() == 4
    store.retire(alice, "S3", rec["version"])
    assert store.revision() == 5
    assert "S3" not in store.dataset().resources["id"].tolist()
    assert len(store.records(include_retired=True)) == 3


# --- imports --------------------------------------------------------------------------------

def test_preview_sorts_rows_into_new_changed_unchanged_and_rejected(opener):
    store = opener()
    _, alice, _, _ = people(store)
    seeded_with(store, alice, store_row("S1"), store_row("S2"))
    before = dump(store)
    preview = store.preview_import(table(
        store_row("S1"),                                    # row 2: unchanged
        store_row("S2", status="maintenance"),              # row 3: changed
        store_row("S3"),                                    # row 4: new
        store_row("S4", lon="abc"),                         # row 5: rejected
        store_row("S5"), store_row("S5", name="again"),     # rows 6, 7: duplicate id
        store_row("S6", district="玄武区"),                  # row 8: not a Wuxi district
    ), alice)
    assert dump(store) == before  # a preview writes nothing
    assert preview.counts == {"new": 1, "changed": 1, "unchanged": 1, "rejected": 4,
                              "retire": 0}
    rows = preview.rows.set_index("row")
    assert rows["status"].to_dict() == {2: "unchanged", 3: "changed", 4: "new", 5: "rejected",
                                        6: "rejected", 7: "rejected", 8: "rejected"}
    assert rows.loc[3, "changes"] == {"status": ("active", "maintenance")}
    assert [p.code for p in rows.loc[5, "problems"]] == ["not_a_number"]
    assert [p.code for p in rows.loc[6, "problems"]] == ["duplicate_id"]
    assert [p.code for p in rows.loc[7, "problems"]] == ["duplicate_id"]
    assert [p.code for p in rows.loc[8, "problems"]] == ["unknown_district"]
    assert rows.loc[6, "id"] == "S5" and rows.loc[8, "id"] == "S6"
    # file row numbers from the reader (a title line above the header) are kept
    shifted = store.preview_import(table(store_row("S7", lon="x"), store_row("S8")), alice,
                                   rows=[5, 6])
    assert shifted.rows["row"].tolist() == [5, 6]
    assert shifted.rows["status"].tolist() == ["rejected", "new"]
    assert shifted.report.problems[0].row == 5
    result = store.commit_import(preview, alice)
    assert (result.added, result.changed, result.unchanged, result.rejected) == (1, 1, 1, 4)
    assert store.record("S2")["status"] == "maintenance"
    assert store.record("S3")["version"] == 1
    with pytest.raises(st.NotFound) as err:
        store.record("S4")
    assert err.value.code == "unknown_record"


def test_a_failure_mid_commit_leaves_the_store_unchanged(opener, monkeypatch):
    store = opener()
    _, alice, _, _ = people(store)
    seeded_with(store, alice, store_row("S1"), store_row("S2"))
    preview = store.preview_import(table(store_row("S1", stock_tent="99"), store_row("S3"),
                                         store_row("S4")), alice)
    before = dump(store)
    before_bytes = sqlite_bytes(store)
    calls = []

    def broken(conn, entries):
        calls.append(len(entries))  # the rows are written by now, in the same transaction
        assert conn.execute(sa.select(sa.func.count()).select_from(st.resources)
                            ).scalar_one() == 4
        raise RuntimeError("disk full")

    monkeypatch.setattr(st, "_append_audit", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        store.commit_import(preview, alice)
    assert calls == [3]
    assert dump(store) == before
    assert sqlite_bytes(store) == before_bytes
    monkeypatch.undo()
    assert store.commit_import(preview, alice).added == 2
    assert store.record("S1")["stock_tent"] == 99


def test_importing_the_same_file_again_changes_nothing(opener):
    store = opener()
    _, alice, _, _ = people(store)
    rows = [store_row("S1"), store_row("S2", source_crs="gcj02", lon="120.3051",
                                       lat="31.5712"), resource_row(id="A1")]
    seeded_with(store, alice, *rows)
    before = dump(store)
    preview = store.preview_import(table(*rows), alice)
    assert preview.counts["unchanged"] == 3 and not preview.has_changes
    result = store.commit_import(preview, alice)
    assert (result.added, result.changed, result.revision) == (0, 0, 1)
    assert dump(store) == before


def test_reimport_by_id_updates_in_place(opener):
    store = opener()
    _, alice, bob, _ = people(store)
    seeded_with(store, alice, store_row("S1"), store_row("S2"))
    order = store.records()["id"].tolist()
    result = store.commit_import(store.preview_import(table(
        store_row("S2", stock_family_kit="40", name="二号库"), store_row("S1")), bob), bob)
    assert (result.changed, result.added, result.unchanged) == (1, 0, 1)
    records = store.records()
    assert records["id"].tolist() == order  # same rows, same place
    s2 = store.record("S2")
    assert (s2["version"], s2["stock_family_kit"], s2["name"], s2["changed_by"]) == (
        2, 40, "二号库", "bob")
    entry = store.audit_log("S2").iloc[-1]
    assert entry["action"] == "import" and entry["version"] == 2
    assert entry["before"] == {"name": "仓库S2", "stock_family_kit": 100}
    assert entry["after"] == {"name": "二号库", "stock_family_kit": 40}


def test_a_file_without_a_column_keeps_the_stored_values_there(opener):
    store = opener()
    _, alice, *_ = people(store)
    seeded_with(store, alice, store_row("S1", hours="24/7", stock_tent="10"),
                store_row("S2", hours="24/7"))
    # a partner's stock list: id, position, name ... but no hours and no tents
    partial = table(store_row("S1", stock_family_kit="150", hours="", stock_tent=""),
                    store_row("S3", hours="", stock_tent=""))
    blanking = store.preview_import(partial, alice)
    assert blanking.counts["changed"] == 1  # without keep the hours would be wiped
    changes = blanking.rows.set_index("id").loc["S1", "changes"]
    assert {"hours", "stock_tent", "stock_family_kit"} <= set(changes)
    preview = store.preview_import(partial, alice, keep=["hours", "stock_tent", "lon", "id"])
    changes = preview.rows.set_index("id").loc["S1", "changes"]
    assert set(changes) == {"stock_family_kit"}, changes
    store.commit_import(preview, alice)
    s1, s3 = store.record("S1"), store.record("S3")
    assert (s1["hours"], s1["stock_tent"], s1["stock_family_kit"]) == ("24/7", 10, 150)
    assert s3["hours"] is None and s3["stock_tent"] is None  # new: nothing to keep


def test_commit_refuses_a_preview_the_store_moved_past(opener):
    store = opener()
    _, alice, bob, _ = people(store)
    seeded_with(store, alice, store_row("S1"))
    preview = store.preview_import(table(store_row("S1", stock_tent="1"), store_row("S2")),
                                   alice)
    store.update(bob, "S1", {"stock_tent": 5}, 1)
    before = dump(store)
    with pytest.raises(st.StaleImport) as err:
        store.commit_import(preview, alice)
    assert err.value.code == "store_changed"
    assert err.value.params == {"expected": 1, "current": 2}
    assert dump(store) == before
    with pytest.raises(st.StaleImport):
        store.commit_import(store.preview_import(table(store_row("S2")), alice), alice,
                            expected_revision=1)


def test_replace_import_retires_what_the_file_leaves_out(opener):
    store = opener(seed=True)
    _, alice, _, _ = people(store)
    preview = store.preview_import(table(store_row("S1")), alice, replace=True)
    assert preview.counts["new"] == 1 and preview.counts["retire"] == 834
    store.commit_import(preview, alice)
    ds = store.dataset()
    assert ds.resources["id"].tolist() == ["S1"] and not ds.is_demo
    assert len(store.records(include_retired=True)) == 835
    revived = store.commit_import(store.preview_import(table(
        resource_row(id="WX-AED-0001")), alice), alice)
    assert revived.changed == 1 and not store.record("WX-AED-0001")["retired"]


# --- edits and optimistic concurrency --------------------------------------------------------

def test_second_editor_is_told_with_both_values(opener):
    store = opener()
    _, alice, bob, _ = people(store)
    seeded_with(store, alice, store_row("S1"))
    seen_by_alice = store.record("S1")
    seen_by_bob = store.record("S1")
    store.update(alice, "S1", {"status": "maintenance"}, seen_by_alice["version"])
    with pytest.raises(st.Conflict) as err:
        store.update(bob, "S1", {"status": "inactive", "stock_tent": 3},
                     seen_by_bob["version"])
    exc = err.value
    assert exc.code == "edit_conflict" and isinstance(exc, GeoError)
    assert exc.params["stored"] == {"status": "maintenance", "stock_tent": 10}
    assert exc.params["attempted"] == {"status": "inactive", "stock_tent": 3}
    assert (exc.params["expected_version"], exc.params["current_version"]) == (1, 2)
    assert exc.params["changed_by"] == "alice"
    assert exc.params["stored_text"] == "status=maintenance; stock_tent=10"
    assert store.record("S1")["status"] == "maintenance"  # nothing of bob's was written
    # a change made meanwhile to a field bob did not touch is shown too
    store.update(alice, "S1", {"name": "新名字"}, 2)
    with pytest.raises(st.Conflict) as err:
        store.retire(bob, "S1", 2)
    assert err.value.params["stored"] == {"retired": False, "name": "新名字"}
    assert err.value.params["attempted"] == {"retired": True}
    store.retire(bob, "S1", 3)
    with pytest.raises(st.StoreError) as err:
        store.update(alice, "S1", {"status": "active"}, 4)
    assert err.value.code == "record_retired"


def test_concurrent_editors_lose_no_update(opener):
    store = opener()
    admin, *_ = people(store)
    editors = [store.create_user(f"ed{i}", PASSWORD, "editor", by=admin) for i in range(4)]
    ids = [f"S{i}" for i in range(SHARED_RECORDS)]
    start = seeded_with(store, editors[0],
                        *(store_row(i, stock_family_kit="0", stock_tent="0") for i in ids))
    wins: collections.Counter = collections.Counter()
    tally = {"conflicts": 0, "attempts": 0}
    errors: list[BaseException] = []
    lock = threading.Lock()
    deadline = time.monotonic() + CONCURRENT_S

    def work(k: int) -> None:
        rng = np.random.default_rng(k)
        user = editors[k % len(editors)]
        try:
            while time.monotonic() < deadline:
                rid = ids[int(rng.integers(len(ids)))]
                column = "stock_family_kit" if k % 2 else "stock_tent"
                rec = store.record(rid)
                try:
                    store.update(user, rid, {column: rec[column] + 1}, rec["version"])
                except st.Conflict as exc:
                    assert exc.params["attempted"] == {column: rec[column] + 1}
                    assert exc.params["current_version"] > rec["version"]
                    with lock:
                        tally["conflicts"] += 1
                        tally["attempts"] += 1
                    continue
                with lock:
                    wins[(rid, column)] += 1
                    tally["attempts"] += 1
        except BaseException as exc:  # reported below, not swallowed by the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    total = sum(wins.values())
    print(f"{store.dialect}: {total} edits saved, {tally['conflicts']} conflicts reported")
    assert total >= 10 and tally["conflicts"] > 0
    assert tally["attempts"] == total + tally["conflicts"]
    for rid in ids:
        rec = store.record(rid)
        mine = {c: wins[(rid, c)] for c in ("stock_family_kit", "stock_tent")}
        assert rec["stock_family_kit"] == mine["stock_family_kit"]
        assert rec["stock_tent"] == mine["stock_tent"]
        assert rec["version"] == 1 + sum(mine.values())
        log = store.audit_log(rid)
        edits = log[log["action"] == "stock"]
        assert len(edits) == sum(mine.values())
        assert edits["version"].tolist() == list(range(2, rec["version"] + 1))
        for column in mine:  # each value went up by one from the one before: none lost
            steps = [(b[column], a[column]) for b, a in zip(edits["before"], edits["after"],
                                                            strict=True) if column in a]
            assert steps == [(n, n + 1) for n in range(mine[column])]
    assert store.revision() == start + total


def test_edits_validate_and_name_the_problem(opener):
    store = opener()
    _, alice, _, _ = people(store)
    seeded_with(store, alice, store_row("S1"))
    cases = [
        (lambda: store.update(alice, "S1", {"status": "broken"}, 1), "bad_record"),
        (lambda: store.update(alice, "S1", {"colour": "red"}, 1), "unknown_field"),
        (lambda: store.update(alice, "S1", {"id": "S9"}, 1), "unknown_field"),
        (lambda: store.update(alice, "S1", {"source_crs": "gcj02", "lon": 120.3}, 1),
         "crs_needs_lonlat"),
        (lambda: store.update(alice, "S9", {"status": "active"}, 1), "unknown_record"),
        (lambda: store.add(alice, store_row("S1")), "id_exists"),
        (lambda: store.add(alice, store_row("S2", lat="")), "bad_record"),
        (lambda: store.move(alice, "S1", 31.58, 120.31, 1), "bad_record"),
    ]
    before = dump(store)
    for call, code in cases:
        with pytest.raises(GeoError) as err:
            call()
        assert err.value.code == code, (code, err.value)
    assert dump(store) == before
    with pytest.raises(ValidationError) as err:
        store.update(alice, "S1", {"status": "broken"}, 1)
    assert [p.code for p in err.value.params["problems"]] == ["not_one_of"]


def test_move_stores_wgs84_and_keeps_the_source_system(opener):
    store = opener()
    _, alice, _, _ = people(store)
    seeded_with(store, alice, store_row("S1"))
    rec = store.move(alice, "S1", 120.3110, 31.5800, 1, source_crs="gcj02")
    lon, lat = to_wgs84((np.array([120.3110]), np.array([31.5800])), "gcj02")
    assert (rec["lon"], rec["lat"], rec["source_crs"]) == (float(lon[0]), float(lat[0]), "gcj02")
    row = store.dataset().resources.set_index("id").loc["S1"]
    assert (row["lon"], row["lat"], row["source_crs"]) == (rec["lon"], rec["lat"], "gcj02")
    assert store.audit_log("S1")["action"].iloc[-1] == "move"
    rec = store.update(alice, "S1", {"name": "改名"}, rec["version"])
    assert rec["source_crs"] == "gcj02" and rec["lon"] == float(lon[0])


# --- roles, users, logins --------------------------------------------------------------------

def test_every_write_refuses_viewers_and_anonymous(opener):
    store = opener()
    _, alice, _, viewer = people(store)
    seeded_with(store, alice, store_row("S1"))
    preview = store.preview_import(table(store_row("S2")), alice)
    forged = st.User("mallory", "admin")  # not a user of this store
    writes = {
        "add": lambda u: store.add(u, store_row("S3")),
        "update": lambda u: store.update(u, "S1", {"status": "inactive"}, 1),
        "move": lambda u: store.move(u, "S1", 120.31, 31.58, 1),
        "retire": lambda u: store.retire(u, "S1", 1),
        "preview_import": lambda u: store.preview_import(table(store_row("S2")), u),
        "commit_import": lambda u: store.commit_import(preview, u),
        "create_user": lambda u: store.create_user("newbie", PASSWORD, "viewer", by=u),
        "set_role": lambda u: store.set_role(u, "vera", "admin"),
        "users": lambda u: store.users(u),
    }
    before = dump(store)
    for name, write in writes.items():
        anonymous = "admin_exists" if name == "create_user" else "login_required"
        for user, code in ((None, anonymous), (viewer, "permission_denied")):
            with pytest.raises(st.PermissionDenied) as err:
                write(user)
            assert err.value.code == code, name
        with pytest.raises(st.PermissionDenied, match="mallory"):
            write(forged)
    for admin_only in (lambda: store.create_user("newbie", PASSWORD, "viewer", by=alice),
                       lambda: store.set_role(alice, "alice", "admin"),
                       lambda: store.users(alice)):
        with pytest.raises(st.PermissionDenied):  # editors manage no users
            admin_only()
    assert dump(store) == before


def test_admins_change_roles_but_never_remove_the_last_admin(opener):
    store = opener()
    admin, alice, _, viewer = people(store)
    seeded_with(store, alice, store_row("S1"))
    assert store.set_role(admin, "vera", "editor") == st.User("vera", "editor")
    assert store.refresh(viewer) == st.User("vera", "editor")  # the UI follows the store
    assert store.refresh(st.User("nobody", "admin")) is None
    with pytest.raises(st.PermissionDenied) as err:
        store.set_role(admin, "admin", "viewer")
    assert err.value.code == "last_admin"
    with pytest.raises(st.NotFound) as err:
        store.set_role(admin, "ghost", "viewer")
    assert err.value.code == "unknown_user"
    store.set_role(admin, "alice", "admin")
    demoted = store.set_role(st.User("alice", "admin"), "admin", "viewer")
    assert demoted.role == "viewer"
    with pytest.raises(st.PermissionDenied):  # the stored role counts, not the one held
        store.update(admin, "S1", {"status": "inactive"}, store.record("S1")["version"])
    listed = store.users(st.User("alice", "admin"))
    assert dict(zip(listed["name"], listed["role"], strict=True)) == {
        "admin": "viewer", "alice": "admin", "bob": "editor", "vera": "editor"}
    log = store.audit_log()
    roles = log[log["action"] == "set_role"]
    assert len(roles) == 3 and set(roles["user_name"]) == {"admin", "alice"}
    assert "password" not in log.to_json(date_format="iso")


def test_no_default_users_and_only_one_self_made_admin(opener):
    store = opener(seed=True)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(st.users)).scalar_one() == 0
    assert not store.has_admin()
    for name, password in (("admin", "admin"), ("admin", "admin123"), ("root", "")):
        with pytest.raises(st.LoginError) as err:
            store.login(name, password, "10.0.0.1")
        assert err.value.code == "login_failed"
    with pytest.raises(st.PermissionDenied) as err:
        store.create_user("ed", PASSWORD, "editor")
    assert err.value.code == "admin_exists"
    admin = store.create_user("Chief", PASSWORD, "admin")
    assert admin == st.User("chief", "admin") and store.has_admin()
    with pytest.raises(st.PermissionDenied) as err:
        store.create_user("usurper", PASSWORD, "admin")
    assert err.value.code == "admin_exists"
    with pytest.raises(st.StoreError) as err:
        store.create_user("CHIEF", PASSWORD, "viewer", by=admin)
    assert err.value.code == "user_exists"
    for kwargs, code in (({"password": "short"}, "password_too_short"),
                         ({"password": "密" * 25}, "password_too_long"),
                         ({"name": " "}, "bad_user_name"),
                         ({"role": "god"}, "not_one_of")):
        args = {"name": "x", "password": PASSWORD, "role": "viewer", **kwargs}
        with pytest.raises(ValidationError) as err:
            store.create_user(**args, by=admin)
        assert err.value.code == code


def test_passwords_are_bcrypt_hashes_never_text(opener, monkeypatch):
    store = opener()
    monkeypatch.setattr(st, "BCRYPT_ROUNDS", 12)
    admin = store.create_user("chief", "密码 correct horse", "admin")
    monkeypatch.setattr(st, "BCRYPT_ROUNDS", 4)
    store.create_user("ed", PASSWORD, "editor", by=admin)
    with store.engine.connect() as conn:
        hashes = dict(conn.execute(sa.select(st.users.c.name, st.users.c.password_hash)).all())
    assert hashes["chief"].startswith("$2b$12$") and hashes["ed"].startswith("$2b$04$")
    assert bcrypt.checkpw("密码 correct horse".encode(), hashes["chief"].encode())
    text = repr(dump(store))
    assert "correct horse" not in text and "密码" not in text
    assert store.login("Chief", "密码 correct horse", "c1") == admin
    assert store.login("ed", PASSWORD, "c1") == st.User("ed", "editor")


def test_failed_logins_are_limited_per_user(opener):
    clock = Clock()
    store = opener(clock=clock)
    store.create_user("chief", PASSWORD, "admin")
    for i in range(st.MAX_USER_FAILURES):
        with pytest.raises(st.LoginError) as err:
            store.login("chief", f"guess {i}", f"client-{i}")
        assert err.value.code == "login_failed"
    with pytest.raises(st.LoginError) as err:
        store.login("chief", PASSWORD, "elsewhere")  # the right password waits too
    assert err.value.code == "too_many_attempts"
    assert err.value.params["scope"] == "user" and err.value.params["minutes"] == 15
    clock.advance(st.LOGIN_WINDOW_MIN + 1)
    assert store.login("chief", PASSWORD, "elsewhere").role == "admin"
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(st.users).where(st.users.c.name == "chief")).mappings().one()
    assert (row["failed_count"], row["locked_until"]) == (0, None)
    for i in range(st.MAX_USER_FAILURES - 1):  # a success starts the count again
        with pytest.raises(st.LoginError):
            store.login("chief", f"again {i}", "c")
    assert store.login("chief", PASSWORD, "c").name == "chief"


def test_failed_logins_are_limited_per_client(opener):
    clock = Clock()
    store = opener(clock=clock)
    store.create_user("chief", PASSWORD, "admin")
    for i in range(st.MAX_CLIENT_FAILURES):
        clock.advance(0.5)
        with pytest.raises(st.LoginError) as err:
            store.login(f"user{i}", "wrong password", "203.0.113.7")
        assert err.value.code == "login_failed"
    with pytest.raises(st.LoginError) as err:
        store.login("chief", PASSWORD, "203.0.113.7")
    assert (err.value.code, err.value.params["scope"]) == ("too_many_attempts", "client")
    assert store.login("chief", PASSWORD, "198.51.100.1").name == "chief"
    clock.advance(st.LOGIN_WINDOW_MIN)
    assert store.login("chief", PASSWORD, "203.0.113.7").name == "chief"


# --- the audit log --------------------------------------------------------------------------

def test_every_write_is_in_the_audit_log(opener):
    store = opener()
    _, alice, bob, _ = people(store)
    seeded_with(store, alice, store_row("S1"))
    rec = store.add(bob, store_row("S2"))
    rec = store.update(bob, "S2", {"status": "maintenance"}, rec["version"])
    rec = store.update(bob, "S2", {"stock_tent": 3, "stock_quilt": 4}, rec["version"])
    rec = store.update(bob, "S2", {"name": "新", "hours": "24h"}, rec["version"])
    rec = store.move(bob, "S2", 120.31, 31.58, rec["version"])
    store.retire(bob, "S2", rec["version"])
    log = store.audit_log()
    assert log["action"].tolist() == ["create_user"] * 4 + [
        "import", "add", "status", "stock", "update", "move", "retire"]
    assert log["user_name"].tolist() == ["admin"] * 4 + ["alice"] + ["bob"] * 6
    s2 = store.audit_log("S2")
    assert s2["version"].tolist() == [1, 2, 3, 4, 5, 6]
    assert s2["after"].iloc[0]["id"] == "S2" and s2["before"].iloc[0] is None
    assert s2["before"].iloc[1] == {"status": "active"}
    assert s2["after"].iloc[1] == {"status": "maintenance"}
    assert s2["after"].iloc[2] == {"stock_tent": 3, "stock_quilt": 4}
    assert s2["after"].iloc[5] == {"retired": True}
    assert log["after"].iloc[1] == {"name": "alice", "role": "editor"}
    assert all(isinstance(at, dt.datetime) for at in log["at"])


# --- schema versions, the database itself --------------------------------------------------

def test_schema_is_the_migrations_and_matches_the_code(opener):
    store = opener()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, st.METADATA) == []


_REVISION_0002 = '''"""Test-only revision: records get a note."""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("resources", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("resources", "note")
'''


def test_an_older_database_upgrades_itself(opener, tmp_path):
    store = opener()
    _, alice, _, _ = people(store)
    seeded_with(store, alice, store_row("S1"), store_row("S2"))
    store.close()
    newer = tmp_path / "migrations"
    shutil.copytree(st.MIGRATIONS_DIR, newer, ignore=shutil.ignore_patterns("__pycache__"))
    (newer / "versions" / "0002_note.py").write_text(_REVISION_0002, encoding="utf-8")
    upgraded = opener(migrations=newer, seed=True)
    with upgraded.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0002"
        assert "note" in {c["name"] for c in sa.inspect(conn).get_columns("resources")}
    assert upgraded.revision() == 1 and upgraded.records()["id"].tolist() == ["S1", "S2"]
    assert upgraded.login("alice", PASSWORD, "c") == alice
    upgraded.close()
    with pytest.raises(st.StoreError) as err:  # code older than its database: said, not guessed
        st.open_store(upgraded.engine.url.render_as_string(hide_password=False))
    assert err.value.code == "store_schema_unknown" and err.value.params == {"revision": "0002"}


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    store = st.open_store(f"sqlite:///{tmp_path / 'sub' / 'store.sqlite'}", seed=False)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        store.close()


@pytest.mark.parametrize("bad", ["sqlite://", "sqlite:///:memory:", "mysql://u@h/db",
                                 "no url at all", "postgresql://nobody@127.0.0.1:9/none"])
def test_unusable_urls_are_refused_clearly(bad):
    with pytest.raises(st.StoreError) as err:
        st.open_store(bad)
    assert err.value.code == "store_unavailable"
    assert set(err.value.params) == {"url", "error"}


def test_without_a_url_the_store_is_the_settings_database(tmp_path, monkeypatch):
    from geo.settings import SETTINGS, Settings

    assert Settings().database_url.endswith("/data/store.sqlite")  # the default: SQLite
    target = tmp_path / "from-settings.sqlite"
    monkeypatch.setattr(st, "SETTINGS", dataclasses.replace(SETTINGS,
                                                            database_url=f"sqlite:///{target}"))
    store = st.open_store(seed=False)
    try:
        assert store.engine.url.database == str(target) and target.exists()
    finally:
        store.close()
