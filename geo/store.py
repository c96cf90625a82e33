"""The data store: resources, users and an audit log in SQLite (WAL) or PostgreSQL, by SQLAlchemy 2.

One database holds every resource record (the columns of :data:`geo.schema.RESOURCE_SPEC`,
``lon``/``lat`` in WGS84, ``source_crs`` saying which system the record came in), a version per
record for optimistic concurrency, the store's ``revision`` (bumped by every committed data
write; the dataset version is derived from it), an append-only audit log, users with bcrypt
hashes and the login attempts that rate-limit logins.

- :func:`open_store` opens SQLite (default, ``data/store.sqlite``, WAL mode) or PostgreSQL
  (``RCD_DATABASE_URL``), brings the schema to the newest Alembic revision (an older database
  upgrades itself) and seeds an empty store with the demo once.
- Reads: :meth:`Store.dataset` builds the :class:`~geo.datasets.Dataset` every page uses, through
  :meth:`Dataset.with_resources <geo.datasets.Dataset.with_resources>` (the records validated,
  the demo folder's other layers shared), from one consistent snapshot.
- Writes: :meth:`Store.preview_import` / :meth:`Store.commit_import` (one transaction, all or
  nothing), :meth:`Store.add`, :meth:`Store.update`, :meth:`Store.move`, :meth:`Store.retire`.
  Each checks the user's role itself (against the ``users`` table too), takes the store's write
  lock, bumps the record's version and the revision, and appends to the audit log.

Every error is a :class:`~geo.errors.GeoError` with a ``code`` worded in ``ui.i18n``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import numpy as np
import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util.exc import CommandError

from geo import schema
from geo.datasets import Dataset, load_demo, read_resources_table
from geo.errors import DataError, GeoError, ValidationError
from geo.settings import ROOT, SETTINGS
from geo.validate import Problem, Report, validate_resources

ALEMBIC_INI = ROOT / "alembic.ini"
MIGRATIONS_DIR = ROOT / "migrations"

#: Roles, weakest first: viewers read, editors write resources, admins also manage users.
ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}
#: What an audit entry records.
ACTIONS: tuple[str, ...] = ("seed", "add", "update", "move", "retire", "import", "status",
                            "stock", "create_user", "set_role")
#: The name audit entries carry for writes the store makes itself (seeding the demo).
SYSTEM_USER = "system"

#: bcrypt cost factor (2**12 rounds, about 0.2 s per hash on a current CPU).
BCRYPT_ROUNDS = 12
MIN_PASSWORD_CHARS = 8
#: bcrypt reads at most 72 bytes of a password; a longer one is refused, not cut.
MAX_PASSWORD_BYTES = 72
MAX_USER_NAME_CHARS = 64
#: Failed logins counted over this window (minutes) ...
LOGIN_WINDOW_MIN = 15
#: ... at most this many per user name (since its last successful login) ...
MAX_USER_FAILURES = 5
#: ... and this many per client (browser session or address), whatever the names tried.
MAX_CLIENT_FAILURES = 20
#: Login attempts older than this (hours) are deleted.
KEEP_ATTEMPTS_H = 24

#: SQLite waits this long (seconds) for another writer before giving up.
BUSY_TIMEOUT_S = 30.0
POOL_SIZE = 10
MAX_OVERFLOW = 20
#: Built datasets kept per store (one per revision).
DATASET_CACHE = 2
#: Key of the PostgreSQL advisory lock held while the schema is upgraded.
_MIGRATION_LOCK = 0x5243_4453

_SQL_TYPES: dict[str, Callable[[], sa.types.TypeEngine]] = {
    "text": sa.Text, "enum": sa.Text, "hours": sa.Text, "float": sa.Double, "lon": sa.Double,
    "lat": sa.Double, "int": sa.BigInteger, "date": sa.Date,
}
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY autoincrements


def _spec_column(col: schema.Column) -> sa.Column:
    """The SQL column of one spec column: its type, NOT NULL when every row has a value."""
    filled = (col.required and col.kinds is None) or col.default is not None
    return sa.Column(col.name, _SQL_TYPES[col.type](), primary_key=col.name == "id",
                     nullable=not filled and col.name != "id")


METADATA = sa.MetaData()

#: One row per resource record. The spec's own ``updated_at`` is a data field (when the record
#: was last checked in the real world); the store's bookkeeping is ``changed_at``/``changed_by``.
resources = sa.Table(
    "resources", METADATA,
    *(_spec_column(col) for col in schema.RESOURCE_SPEC),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("retired", sa.Boolean(), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.Text(), nullable=False),
)
meta = sa.Table(
    "meta", METADATA,
    sa.Column("key", sa.Text(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
audit = sa.Table(
    "audit", METADATA,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("user_name", sa.Text(), nullable=False),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("resource_id", sa.Text(), sa.ForeignKey("resources.id"), nullable=True),
    sa.Column("version", sa.BigInteger(), nullable=True),
    sa.Column("before", sa.JSON(), nullable=True),
    sa.Column("after", sa.JSON(), nullable=True),
    sa.Index("ix_audit_resource_id", "resource_id"),
    sa.Index("ix_audit_at", "at"),
)
users = sa.Table(
    "users", METADATA,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text(), nullable=False, unique=True),
    sa.Column("role", sa.Text(), nullable=False),
    sa.Column("password_hash", sa.Text(), nullable=False),
    sa.Column("failed_count", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.DateTime(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=True),
    sa.Column("last_login", sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="ck_users_role"),
)
login_attempts = sa.Table(
    "login_attempts", METADATA,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("client", sa.Text(), nullable=False),
    sa.Column("user_name", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("ok", sa.Boolean(), nullable=False),
    sa.Index("ix_login_attempts_user_at", "user_name", "at"),
    sa.Index("ix_login_attempts_client_at", "client", "at"),
)

_DATA = schema.RESOURCE_COLUMNS
_EDITABLE = frozenset(_DATA) - {"id"}
_BY_NAME = schema.spec_by_name(schema.RESOURCE_SPEC)
_MOVE = frozenset({"lon", "lat", "source_crs"})
_STOCK = frozenset(schema.STOCK_COLUMNS)


# --- errors ---------------------------------------------------------------------------------

class StoreError(GeoError):
    """The store cannot do what was asked (a database, schema or state problem)."""


class PermissionDenied(StoreError):
    """No login (``code="login_required"``) or a role too weak (``"permission_denied"``)."""


class Conflict(StoreError):
    """The record changed since the editor read it (``code="edit_conflict"``).

    ``params`` hold ``id``, ``expected_version``, ``current_version``, ``changed_by``,
    ``changed_at`` and both sides: ``stored`` (column -> value now in the store, for the
    columns the editor changed and those others changed meanwhile) and ``attempted`` (column ->
    the editor's value); ``stored_text`` / ``attempted_text`` give them as ``col=value; ...``.
    """


class StaleImport(StoreError):
    """The store changed between an import's preview and its commit (``"store_changed"``)."""


class NotFound(StoreError):
    """No record with that id (``code="unknown_record"``)."""


class LoginError(StoreError):
    """A refused login: ``"login_failed"`` (name or password wrong) or ``"too_many_attempts"``."""


# --- users and roles ------------------------------------------------------------------------

@dataclass(frozen=True)
class User:
    """A logged-in user as :meth:`Store.login` returns it: name and role.

    Parameters
    ----------
    name : str
        The user name (normalised: NFKC, stripped, lower case).
    role : {"viewer", "editor", "admin"}
        What the user may do. Write functions check it again against the ``users`` table.
    """

    name: str
    role: str


def require(user: User | None, role: str = "editor") -> User:
    """Return ``user`` if it holds at least ``role``; refuse a missing login or a weaker role.

    Parameters
    ----------
    user : User or None
        The logged-in user (None: nobody logged in).
    role : {"viewer", "editor", "admin"}
        The weakest role allowed.

    Returns
    -------
    User

    Raises
    ------
    PermissionDenied
        ``code="login_required"`` when ``user`` is None (or not a User);
        ``code="permission_denied"`` with ``params`` ``user``, ``user_role``, ``needed_role``
        when the role is weaker than ``role``.
    """
    if role not in _RANK:
        msg = f"role must be one of {', '.join(ROLES)}, got {role!r}"
        raise ValidationError(msg, code="not_one_of",
                              params={"value": role, "allowed": ", ".join(ROLES)})
    if not isinstance(user, User):
        msg = f"a login with role {role!r} or higher is needed, got {user!r}"
        raise PermissionDenied(msg, code="login_required", params={"needed_role": role})
    if _RANK.get(user.role, -1) < _RANK[role]:
        msg = f"user {user.name!r} has role {user.role!r}; {role!r} or higher is needed"
        raise PermissionDenied(msg, code="permission_denied", params={
            "user": user.name, "user_role": user.role, "needed_role": role})
    return user


def normalise_user_name(name: str) -> str:
    """A user name as stored and compared: NFKC, stripped, lower case.

    Raises
    ------
    ValidationError
        ``code="bad_user_name"`` when the name is empty, longer than
        :data:`MAX_USER_NAME_CHARS` or holds control characters.
    """
    text = unicodedata.normalize("NFKC", name).strip().lower() if isinstance(name, str) else ""
    if not text or len(text) > MAX_USER_NAME_CHARS or any(
            unicodedata.category(ch).startswith("C") for ch in text):
        msg = (f"user name must be 1 to {MAX_USER_NAME_CHARS} printable characters, "
               f"got {name!r}")
        raise ValidationError(msg, code="bad_user_name",
                              params={"name": str(name), "max_chars": MAX_USER_NAME_CHARS})
    return text


def _check_password(password: str) -> bytes:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        msg = f"password must have at least {MIN_PASSWORD_CHARS} characters"
        raise ValidationError(msg, code="password_too_short",
                              params={"min_chars": MIN_PASSWORD_CHARS})
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        msg = f"password must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8, got {len(raw)}"
        raise ValidationError(msg, code="password_too_long",
                              params={"max_bytes": MAX_PASSWORD_BYTES, "n_bytes": len(raw)})
    return raw


_DUMMY_HASHES: dict[int, bytes] = {}


def _dummy_hash() -> bytes:
    """A hash to check against when the user name is unknown, so both cases take as long."""
    if BCRYPT_ROUNDS not in _DUMMY_HASHES:
        _DUMMY_HASHES[BCRYPT_ROUNDS] = bcrypt.hashpw(b"no such user",
                                                     bcrypt.gensalt(BCRYPT_ROUNDS))
    return _DUMMY_HASHES[BCRYPT_ROUNDS]


def _password_ok(password: Any, stored: bytes) -> bool:
    if not isinstance(password, str):
        return False
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:  # no stored password is longer; keep the time equal
        bcrypt.checkpw(b"", stored)
        return False
    return bcrypt.checkpw(raw, stored)


# --- values: stored form, text form, JSON form ----------------------------------------------

def _stored_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Validated resources (:func:`validate_resources` output) as stored values, one dict a row.

    Text is ``str``, whole numbers ``int``, other numbers ``float``, dates ``datetime.date``;
    a missing value is None.
    """
    columns: dict[str, list[Any]] = {}
    for col in schema.RESOURCE_SPEC:
        series = frame[col.name]
        missing = series.isna().to_numpy(dtype=bool)
        if col.type == "date":
            values = [None if m else v.date() for v, m in zip(series, missing, strict=True)]
        elif col.type == "int":
            values = [None if m else int(v) for v, m in zip(series, missing, strict=True)]
        elif col.type in schema.NUMERIC_TYPES:
            values = [None if m else float(v) for v, m in zip(series.to_numpy(dtype="float64"),
                                                              missing, strict=True)]
        else:
            values = [None if m else str(v) for v, m in zip(series, missing, strict=True)]
        columns[col.name] = values
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _cell_text(value: Any) -> str:
    """A value as the text a resource table cell holds ("" for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (np.floating, np.integer)):
        return _cell_text(value.item())
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_row(row: Mapping[str, Any], columns: Any = None) -> dict[str, Any]:
    return {c: _json_value(row[c]) for c in (columns if columns is not None else _DATA)}


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _pairs_text(values: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}={_cell_text(_json_value(v)) or '-'}" for k, v in values.items())


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Columns whose stored values differ: column -> (old, new)."""
    return {c: (old[c], new[c]) for c in _DATA if c != "id" and old[c] != new[c]}


def _action(columns: set[str]) -> str:
    """The audit action of an update that changes ``columns``."""
    if columns <= _MOVE:
        return "move"
    if columns == {"status"}:
        return "status"
    if columns <= _STOCK:
        return "stock"
    return "update"


def _naive_utc(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- results --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ImportPreview:
    """What committing an import would do, row by row; build with :meth:`Store.preview_import`.

    Attributes
    ----------
    revision : int
        The store revision the preview was made against; :meth:`Store.commit_import` refuses
        if the store has moved on since.
    rows : DataFrame
        One row per file row (and, with ``replace``, per store record the file leaves out):
        ``row`` (file row number, header = row 1; None for a record not in the file), ``id``,
        ``status`` (``"new"``, ``"changed"``, ``"unchanged"``, ``"rejected"`` or
        ``"retire"``), ``changes`` (column -> (stored, new) for a changed record), ``problems``
        (the :class:`~geo.validate.Problem` list of the row: the reasons of a rejected row,
        warnings of a kept one).
    report : Report
        The validation report of the whole table (row numbers as in the file).
    replace : bool
        Records in the store that the file does not name are retired on commit.
    """

    revision: int
    rows: pd.DataFrame
    report: Report
    replace: bool = False
    _new: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    _changed: tuple[tuple[int, dict[str, Any], dict[str, Any]], ...] = field(default=(),
                                                                            repr=False)
    _retire: tuple[tuple[int, dict[str, Any]], ...] = field(default=(), repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status: ``new``, ``changed``, ``unchanged``, ``rejected``, ``retire``."""
        found = self.rows["status"].value_counts()
        return {s: int(found.get(s, 0)) for s in ("new", "changed", "unchanged", "rejected",
                                                  "retire")}

    @property
    def has_changes(self) -> bool:
        """True when committing would write anything."""
        return bool(self._new or self._changed or self._retire)


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Store.commit_import` wrote: counts and the new store revision."""

    revision: int
    added: int
    changed: int
    retired: int
    unchanged: int
    rejected: int


# --- engine ---------------------------------------------------------------------------------

def _public_url(url: sa.engine.URL) -> str:
    return url.render_as_string(hide_password=True)


def make_engine(url: str | sa.engine.URL) -> sa.Engine:
    """A thread-safe engine for the store's URL, with the store's connection settings.

    SQLite (a file; its folder is created) gets ``PRAGMA journal_mode=WAL``,
    ``foreign_keys=ON``, ``synchronous=NORMAL`` and a busy timeout of
    :data:`BUSY_TIMEOUT_S`, and SQLAlchemy emits ``BEGIN`` itself (``BEGIN IMMEDIATE`` for the
    store's writes, so writers queue instead of failing). ``postgresql://`` URLs use psycopg 3.

    Parameters
    ----------
    url : str or URL
        A SQLAlchemy URL: ``sqlite:///path/store.sqlite`` or ``postgresql://user@host/db``.

    Returns
    -------
    Engine

    Raises
    ------
    StoreError
        ``code="store_unavailable"`` for a URL that is not understood, an unsupported
        database or an in-memory SQLite database (which cannot be shared between threads).
    """
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise _unavailable(str(url), exc) from exc
    if parsed.drivername == "postgres":  # Heroku-style URLs; SQLAlchemy has no "postgres"
        parsed = parsed.set(drivername="postgresql")
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed):
            msg = "the store needs a SQLite file (an in-memory database cannot be shared)"
            raise StoreError(msg, code="store_unavailable",
                             params={"url": _public_url(parsed), "error": msg})
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
            pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, json_serializer=_json_dumps)
        _sqlite_events(engine)
        return engine
    if backend != "postgresql":
        msg = f"the store runs on SQLite or PostgreSQL, got {backend!r}"
        raise StoreError(msg, code="store_unavailable",
                         params={"url": _public_url(parsed), "error": msg})
    try:
        return sa.create_engine(parsed, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW,
                                pool_pre_ping=True, json_serializer=_json_dumps)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise _unavailable(_public_url(parsed), exc) from exc


def _sqlite_events(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get("rcd_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _unavailable(url: str, exc: BaseException) -> StoreError:
    error = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    text = error[0] if error else type(exc).__name__
    msg = f"the store at {url} cannot be opened: {text}"
    return StoreError(msg, code="store_unavailable", params={"url": url, "error": text})


def _alembic_config(migrations: Path) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(migrations))
    return cfg


def _migrate(engine: sa.Engine, migrations: Path) -> None:
    """Upgrade the schema to the newest revision and create the meta rows, under a lock."""
    cfg = _alembic_config(migrations)
    with engine.connect() as conn:
        conn.execution_options(rcd_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
            except CommandError as exc:
                current = MigrationContext.configure(conn).get_current_revision()
                msg = (f"the database is at schema revision {current!r}, which this version "
                       f"does not know ({exc}); upgrade the application")
                raise StoreError(msg, code="store_schema_unknown",
                                 params={"revision": str(current)}) from exc
            have = set(conn.execute(sa.select(meta.c.key)).scalars())
            defaults = {"revision": "0", "store_id": uuid.uuid4().hex, "seeded_demo": "0",
                        "user_data": "0"}
            missing = [{"key": k, "value": v} for k, v in defaults.items() if k not in have]
            if missing:
                conn.execute(meta.insert(), missing)


def open_store(url: str | None = None, *, data_dir: str | Path | None = None, seed: bool = True,
               migrations: str | Path | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> Store:
    """Open the data store, upgrading its schema and seeding the demo into an empty one.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; default the ``database_url`` setting (``RCD_DATABASE_URL``), i.e. the
        SQLite file ``data/store.sqlite``. ``postgresql://...`` uses psycopg 3.
    data_dir : path, optional
        Folder of the demo files (boundaries, population, towns, scenic areas, and the
        resources seeded into an empty store); default the ``data_dir`` setting.
    seed : bool, default True
        Seed an empty store with ``resources.csv`` (once: see :meth:`Store.seed_demo_if_empty`).
    migrations : path, optional
        The Alembic script folder (default ``migrations/``; tests pass a copy with more
        revisions).
    clock : callable, optional
        Returns the current time (aware or naive UTC); for tests of the login rate limit.

    Returns
    -------
    Store

    Raises
    ------
    StoreError
        ``code="store_unavailable"`` when the database cannot be reached or the URL is not
        usable; ``code="store_schema_unknown"`` when the database has a schema revision this
        code does not know (it was upgraded by a newer version).
    """
    engine = make_engine(SETTINGS.database_url if url is None else url)
    try:
        _migrate(engine, Path(migrations) if migrations is not None else MIGRATIONS_DIR)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise _unavailable(_public_url(engine.url), exc) from exc
    except BaseException:
        engine.dispose()
        raise
    store = Store(engine, data_dir=data_dir, clock=clock)
    if seed:
        store.seed_demo_if_empty()
    return store


# --- the store ------------------------------------------------------------------------------

class Store:
    """Resources, users and the audit log in one database; build with :func:`open_store`.

    The object is thread-safe: every method takes its own connection from the engine's pool.
    Reads see one consistent snapshot; writes hold the store's write lock (``BEGIN IMMEDIATE``
    on SQLite, a row lock on the ``revision`` row on PostgreSQL) for their transaction.

    Parameters
    ----------
    engine : Engine
        From :func:`make_engine`, on a database already upgraded by :func:`open_store`.
    data_dir : path, optional
        Folder of the demo files (default: the ``data_dir`` setting).
    clock : callable, optional
        Returns the current time (default: now, UTC).
    """

    def __init__(self, engine: sa.Engine, *, data_dir: str | Path | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.engine = engine
        self.data_dir = Path(data_dir or SETTINGS.data_dir)
        self._clock = clock or _utc_now
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one build per revision, however many sessions
        self._datasets: dict[int, Dataset] = {}
        with self._read() as conn:
            self.store_id = self._meta(conn)["store_id"]

    def __repr__(self) -> str:
        """The database (password hidden) and the revision."""
        return f"Store({_public_url(self.engine.url)!r}, revision={self.revision()})"

    def close(self) -> None:
        """Close every pooled connection (the store can be opened again)."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A read-only snapshot (REPEATABLE READ on PostgreSQL, one BEGIN on SQLite)."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction holding the store's write lock until it commits or rolls back."""
        with self.engine.connect() as conn:
            conn.execution_options(rcd_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.select(meta.c.value).where(meta.c.key == "revision")
                                 .with_for_update())
                yield conn

    def _now(self) -> dt.datetime:
        return _naive_utc(self._clock())

    @staticmethod
    def _meta(conn: sa.Connection) -> dict[str, str]:
        return dict(conn.execute(sa.select(meta.c.key, meta.c.value)).all())

    @staticmethod
    def _set_meta(conn: sa.Connection, **values: str) -> None:
        for key, value in values.items():
            done = conn.execute(meta.update().where(meta.c.key == key).values(value=value))
            if not done.rowcount:
                conn.execute(meta.insert().values(key=key, value=value))

    @staticmethod
    def _bump(conn: sa.Connection, *, user_data: bool = True) -> int:
        """Bump the revision (and mark the data as the user's own); return the new revision."""
        current = int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "revision"))
                      .scalar_one())
        Store._set_meta(conn, revision=str(current + 1), **({"user_data": "1"} if user_data
                                                             else {}))
        return current + 1

    def _check_role(self, conn: sa.Connection, user: User | None, role: str) -> User:
        """:func:`require`, then the same check against the user's row in the store."""
        user = require(user, role)
        stored = conn.execute(sa.select(users.c.role).where(users.c.name == user.name)
                              ).scalar_one_or_none()
        if stored is None or _RANK.get(stored, -1) < _RANK[role]:
            msg = (f"user {user.name!r} is not a {role} in this store "
                   f"(stored role: {stored!r})")
            raise PermissionDenied(msg, code="permission_denied", params={
                "user": user.name, "user_role": stored or "-", "needed_role": role})
        return user

    # -- reads -------------------------------------------------------------------------------

    def revision(self) -> int:
        """The store's revision: bumped by every committed write of resource data."""
        with self._read() as conn:
            return int(self._meta(conn)["revision"])

    def is_demo(self) -> bool:
        """True while any live record is one of the seeded demo's (edited or not).

        The notice stays as long as demo records are shown next to the user's own: importing
        a few records does not make the rest real. Retiring the demo's records (an import
        with ``replace=True`` of the real registry) ends it.
        """
        with self._read() as conn:
            flags = self._meta(conn)
            ids = conn.execute(sa.select(resources.c.id).where(resources.c.retired.is_(False))
                               ).scalars().all()
        return self._demo_left(flags, ids)

    def _demo_left(self, flags: Mapping[str, str], live_ids: Any) -> bool:
        if flags.get("seeded_demo") != "1":
            return False
        demo_ids = set(self._base().resources["id"].astype(str))
        return any(i in demo_ids for i in live_ids)

    def records(self, *, include_retired: bool = False) -> pd.DataFrame:
        """The stored records as a table, in store order, for edit forms and admin pages.

        Returns
        -------
        DataFrame
            The spec's columns as stored (``lon``/``lat`` WGS84; ``source_crs`` the system the
            record came in), plus ``version``, ``retired``, ``changed_at`` (UTC) and
            ``changed_by``.
        """
        query = sa.select(resources).order_by(resources.c.seq, resources.c.id)
        if not include_retired:
            query = query.where(resources.c.retired.is_(False))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        columns = [*_DATA, "version", "retired", "changed_at", "changed_by"]
        return pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=columns)

    def record(self, resource_id: str) -> dict[str, Any]:
        """One record (stored values, ``version``, ``retired``, ``changed_at``, ``changed_by``).

        Raises
        ------
        NotFound
            ``code="unknown_record"``.
        """
        with self._read() as conn:
            return self._record(conn, resource_id)

    @staticmethod
    def _record(conn: sa.Connection, resource_id: str, *, lock: bool = False
                ) -> dict[str, Any]:
        query = sa.select(resources).where(resources.c.id == resource_id)
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).mappings().one_or_none()
        if row is None:
            msg = f"no resource record with id {resource_id!r}"
            raise NotFound(msg, code="unknown_record", params={"id": str(resource_id)})
        out = dict(row)
        out.pop("seq", None)
        return out

    def audit_log(self, resource_id: str | None = None, limit: int | None = None
                  ) -> pd.DataFrame:
        """Audit entries, oldest first.

        Columns: ``id``, ``at`` (UTC), ``user_name``, ``action``, ``resource_id``,
        ``version`` (the record's version after the write), ``before`` and ``after`` (JSON
        objects of the changed fields; never a password or hash).

        Parameters
        ----------
        resource_id : str, optional
            Only this record's entries.
        limit : int, optional
            Only the newest ``limit`` entries (still oldest first).
        """
        query = sa.select(audit).order_by(audit.c.id.desc())
        if resource_id is not None:
            query = query.where(audit.c.resource_id == resource_id)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        columns = [c.name for c in audit.columns]
        return pd.DataFrame([dict(r) for r in reversed(rows)], columns=columns)

    def _base(self) -> Dataset:
        """The demo files' dataset: boundaries, population, water, towns, scenic areas."""
        return load_demo(data_dir=self.data_dir)

    def dataset(self, city: str | None = None) -> Dataset:
        """The data every page shows: the store's records (not retired) as a Dataset.

        The records go through :meth:`Dataset.with_resources <geo.datasets.Dataset.with_resources>`
        with the demo's boundaries, population, water, towns and scenic areas. The result is
        built once per revision and kept (:data:`DATASET_CACHE` revisions).

        Parameters
        ----------
        city : {"wuxi", "zhenjiang"} or None
            One city, or both.

        Returns
        -------
        Dataset
            ``is_demo`` while the store holds the untouched demo (see :meth:`is_demo`).
            ``version`` is derived from the store (its id), the revision, the city, the demo
            flag and the base layers' version: equal for equal content, different after any
            write. ``resources.source_crs`` says which system each record came in (the
            coordinates are WGS84).

        Raises
        ------
        ValidationError
            ``city`` is not a known city.
        DataError
            A stored record no longer passes validation (``code="bad_resources"``), e.g.
            after the boundaries changed.
        """
        revision = self.revision()
        with self._lock:
            full = self._datasets.get(revision)
        if full is None:
            with self._build_lock:
                with self._lock:
                    full = self._datasets.get(revision)
                if full is None:
                    full, revision = self._build_dataset()
        return full.for_city(city)  # a subset's version derives from the full one's

    def _version(self, revision: int, city: str | None, is_demo: bool) -> str:
        """The dataset version of a revision: store, revision and demo layers, no hashing."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr(("store", self.store_id, revision, city, is_demo,
                            self._base().version)).encode())
        return digest.hexdigest()

    def _build_dataset(self) -> tuple[Dataset, int]:
        query = (sa.select(*(resources.c[c] for c in _DATA))
                 .where(resources.c.retired.is_(False))
                 .order_by(resources.c.seq, resources.c.id))
        with self._read() as conn:
            flags = self._meta(conn)
            rows = conn.execute(query).all()
        revision = int(flags["revision"])
        is_demo = self._demo_left(flags, (row[_DATA.index("id")] for row in rows))
        crs_at = _DATA.index("source_crs")
        cells = {name: [_cell_text(row[i]) for row in rows] for i, name in enumerate(_DATA)}
        provenance = cells["source_crs"]
        cells["source_crs"] = ["wgs84"] * len(rows)  # stored coordinates are WGS84 already
        # Only the records are validated: boundaries, population, water, towns and scenic
        # areas are the demo folder's, already checked and shared (an edit rebuilds in ~0.1 s
        # instead of re-checking the population grid).
        version = self._version(revision, None, is_demo)
        full = self._base().with_resources(
            pd.DataFrame(cells, columns=list(_DATA), dtype=object), is_demo=is_demo,
            version=version, source="store")
        if any(row[crs_at] != "wgs84" for row in rows):
            own = full.resources.copy()
            own["source_crs"] = pd.array(provenance, dtype=own["source_crs"].dtype)
            full = dataclasses.replace(full, resources=own, given_version=version)
        with self._lock:
            self._datasets[revision] = full
            for old in sorted(self._datasets)[:-DATASET_CACHE]:
                del self._datasets[old]
        return full, revision

    # -- seeding -----------------------------------------------------------------------------

    def seed_demo_if_empty(self) -> bool:
        """Load ``resources.csv`` into a store that has never held a record, in one transaction.

        Sets ``seeded_demo``, so the datasets say "demo" until a user import or edit. A store
        that was seeded or written once is never seeded again.

        Returns
        -------
        bool
            True when the demo was seeded now.

        Raises
        ------
        DataError
            The demo file is missing, unreadable or invalid.
        """
        base = self._base()
        with self._write() as conn:
            flags = self._meta(conn)
            count = conn.execute(sa.select(sa.func.count()).select_from(resources)).scalar_one()
            if flags.get("seeded_demo") == "1" or flags.get("user_data") == "1" or count:
                return False
            table = read_resources_table(self.data_dir)
            good, report = validate_resources(table, base.boundaries)
            if report.errors:
                msg = f"demo resources: {len(report.errors)} problem(s)\n{report.summary()}"
                raise DataError(msg, code="bad_resources", params={
                    "source": "resources.csv", "n": len(report.errors),
                    "rows": sorted(report.bad_rows), "problems": report.errors,
                    "row_list": ", ".join(map(str, sorted(report.bad_rows)[:20]))})
            now = self._now()
            records = _stored_rows(good)
            conn.execute(resources.insert(), [
                {**rec, "version": 1, "retired": False, "seq": i, "changed_at": now,
                 "changed_by": SYSTEM_USER} for i, rec in enumerate(records, start=1)])
            _append_audit(conn, [{"at": now, "user_name": SYSTEM_USER, "action": "seed",
                                  "resource_id": None, "version": None, "before": None,
                                  "after": {"file": "resources.csv", "rows": len(records)}}])
            self._set_meta(conn, seeded_demo="1")
            self._bump(conn, user_data=False)
        return True

    # -- import ------------------------------------------------------------------------------

    def preview_import(self, table: pd.DataFrame, user: User | None, *,
                       rows: Any = None, replace: bool = False,
                       keep: Iterable[str] = ()) -> ImportPreview:
        """Check an import and say, row by row, what committing it would do; writes nothing.

        Every row is validated by :func:`~geo.validate.validate_resources` against the
        boundaries (a repeated id rejects each of its rows, ``duplicate_id``). A kept row is
        ``new`` (its id is not in the store), ``changed`` (stored with other values, or
        retired: committing brings it back) or ``unchanged``.

        Parameters
        ----------
        table : DataFrame
            Rows whose columns are already the spec's (text is fine), as a reader mapped them.
        user : User
            An editor or admin.
        rows : array of int, optional
            The file row number of each table row (default: position + 2, a header on row 1).
        replace : bool, default False
            The file replaces the store's data: records it does not name are retired.
        keep : iterable of str, optional
            Columns the file does not have (``ResourceFile.source["absent"]``): a stored
            record keeps its values there instead of having them blanked; a new record has
            them empty. ``id``, ``lon``, ``lat`` and ``source_crs`` always come from the file.

        Returns
        -------
        ImportPreview

        Raises
        ------
        PermissionDenied
            No login, a viewer, or a user whose stored role is not editor or admin.
        """
        require(user, "editor")
        table = pd.DataFrame(table).reset_index(drop=True)
        file_rows = (np.arange(len(table), dtype="int64") + 2 if rows is None
                     else np.asarray(rows, dtype="int64"))
        if len(file_rows) != len(table):
            msg = (f"rows must give one row number per table row ({len(table)}), "
                   f"got {len(file_rows)}")
            raise ValidationError(msg)
        # the position and its system always come from the file
        keep = [c for c in keep if c in _EDITABLE - _MOVE and c in table.columns]
        with self._read() as conn:
            self._check_role(conn, user, "editor")
            revision = int(self._meta(conn)["revision"])
            stored = {r["id"]: dict(r) for r in conn.execute(sa.select(resources)).mappings()}
        if keep and "id" in table.columns and stored:
            table = table.astype(object)
            ids_now = table["id"].astype("string").str.strip()
            for pos in np.flatnonzero(ids_now.isin(list(stored)).fillna(False).to_numpy()):
                old = stored[str(ids_now.iloc[pos])]
                for column in keep:
                    table.iat[pos, table.columns.get_loc(column)] = _cell_text(old[column])
        good, report = validate_resources(table, self._base().boundaries)
        report = _renumber(report, file_rows)
        new_records = _stored_rows(good)
        ids_in_file = set(table["id"].astype("string").str.strip().dropna()) if (
            "id" in table.columns) else set()
        by_row: dict[int, list[Problem]] = {}
        for problem in report.problems:
            if problem.row is not None:
                by_row.setdefault(problem.row, []).append(problem)
        fatal = [p for p in report.errors if p.row is None]
        out: list[dict[str, Any]] = []
        new: list[dict[str, Any]] = []
        changed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        kept_rows = report.rows if report.rows is not None else np.zeros(0, dtype="int64")
        for row, rec in zip(kept_rows.tolist(), new_records, strict=True):
            old = stored.get(rec["id"])
            changes: dict[str, tuple[Any, Any]] = {}
            if old is None:
                status = "new"
                new.append(rec)
            else:
                changes = _diff(old, rec)
                if old["retired"]:
                    changes["retired"] = (True, False)
                status = "changed" if changes else "unchanged"
                if changes:
                    changed.append((int(old["version"]), old, rec))
            out.append({"row": row, "id": rec["id"], "status": status, "changes": changes,
                        "problems": by_row.get(row, [])})
        bad = set(report.bad_rows) | (set(file_rows.tolist()) if fatal else set())
        ids = table["id"].astype("string").str.strip() if "id" in table.columns else None
        for pos in np.flatnonzero(np.isin(file_rows, list(bad))):
            row = int(file_rows[pos])
            ident = None if ids is None or pd.isna(ids.iloc[pos]) else str(ids.iloc[pos])
            out.append({"row": row, "id": ident, "status": "rejected", "changes": {},
                        "problems": fatal + by_row.get(row, [])})
        retire: list[tuple[int, dict[str, Any]]] = []
        if replace and not fatal:
            for rid, old in stored.items():
                if not old["retired"] and rid not in ids_in_file:
                    retire.append((int(old["version"]), old))
                    out.append({"row": None, "id": rid, "status": "retire",
                                "changes": {"retired": (False, True)}, "problems": []})
        frame = pd.DataFrame(out, columns=["row", "id", "status", "changes", "problems"])
        frame["row"] = frame["row"].astype("Int64")
        frame = frame.sort_values("row", kind="stable", na_position="last").reset_index(
            drop=True)
        return ImportPreview(revision, frame, report, replace, tuple(new), tuple(changed),
                             tuple(retire))

    def commit_import(self, preview: ImportPreview, user: User | None,
                      expected_revision: int | None = None) -> ImportResult:
        """Write an import's new and changed rows (and retirements) in one transaction.

        All of the preview's accepted rows are written, or none: any failure rolls the whole
        transaction back. Committing a preview with nothing to change writes nothing (the
        revision stays), so importing the same file again changes nothing.

        Parameters
        ----------
        preview : ImportPreview
            From :meth:`preview_import`.
        user : User
            An editor or admin.
        expected_revision : int, optional
            The revision the preview was shown at (default ``preview.revision``).

        Returns
        -------
        ImportResult

        Raises
        ------
        PermissionDenied
            No login, a viewer, or a user whose stored role is not editor or admin.
        StaleImport
            ``code="store_changed"`` (``params`` ``expected``, ``current``) when the store's
            revision moved since the preview; nothing is written. Preview the file again.
        """
        require(user, "editor")
        expected = preview.revision if expected_revision is None else int(expected_revision)
        counts = preview.counts
        result = {"added": len(preview._new), "changed": len(preview._changed),
                  "retired": len(preview._retire), "unchanged": counts["unchanged"],
                  "rejected": counts["rejected"]}
        if not preview.has_changes:
            with self._read() as conn:
                self._check_role(conn, user, "editor")
                current = int(self._meta(conn)["revision"])
            _check_revision(expected, current)
            return ImportResult(revision=current, **result)
        with self._write() as conn:
            user = self._check_role(conn, user, "editor")
            _check_revision(expected, int(self._meta(conn)["revision"]))
            now = self._now()
            entries: list[dict[str, Any]] = []
            if preview._new:
                seq = self._next_seq(conn)
                conn.execute(resources.insert(), [
                    {**rec, "version": 1, "retired": False, "seq": seq + i, "changed_at": now,
                     "changed_by": user.name} for i, rec in enumerate(preview._new)])
                entries += [_entry(now, user, "import", rec["id"], 1, None, _json_row(rec))
                            for rec in preview._new]
            if preview._changed:
                conn.execute(
                    _versioned_update(retired=False, now=now, user=user),
                    [{**{c: rec[c] for c in _DATA if c != "id"}, "b_id": rec["id"],
                      "b_version": version} for version, _old, rec in preview._changed])
                for version, old, rec in preview._changed:
                    cols = list(_diff(old, rec))
                    before = _json_row(old, cols)
                    after = _json_row(rec, cols)
                    if old["retired"]:
                        before["retired"], after["retired"] = True, False
                    entries.append(_entry(now, user, "import", rec["id"], version + 1, before,
                                          after))
            if preview._retire:
                conn.execute(
                    _versioned_update(retired=True, now=now, user=user),
                    [{"b_id": old["id"], "b_version": version}
                     for version, old in preview._retire])
                entries += [_entry(now, user, "retire", old["id"], version + 1,
                                   {"retired": False}, {"retired": True})
                            for version, old in preview._retire]
            _append_audit(conn, entries)
            revision = self._bump(conn)
        return ImportResult(revision=revision, **result)

    @staticmethod
    def _next_seq(conn: sa.Connection) -> int:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(resources.c.seq), 0))
                                ).scalar_one()) + 1

    # -- edits -------------------------------------------------------------------------------

    def _validated(self, cells: Mapping[str, Any], what: str) -> dict[str, Any]:
        """One record's cells validated as a one-row resource table; its stored values."""
        table = pd.DataFrame([{c: _cell_text(cells.get(c)) for c in _DATA}], dtype=object)
        good, report = validate_resources(table, self._base().boundaries)
        if report.errors:
            errors = report.errors
            msg = f"record {what!r}: {len(errors)} problem(s)\n{Report(1, errors).summary()}"
            raise ValidationError(msg, code="bad_record",
                                  params={"id": what, "n": len(errors), "problems": errors})
        return _stored_rows(good)[0]

    def add(self, user: User | None, record: Mapping[str, Any]) -> dict[str, Any]:
        """Add one record (version 1), validated like an imported row.

        Parameters
        ----------
        user : User
            An editor or admin.
        record : mapping
            Column -> value (text, numbers or dates); ``lon``/``lat`` in the record's
            ``source_crs`` (default WGS84), stored as WGS84.

        Returns
        -------
        dict
            The stored record with ``version``, ``retired``, ``changed_at``, ``changed_by``.

        Raises
        ------
        PermissionDenied
            No login, or a viewer.
        ValidationError
            ``code="unknown_field"`` for a key that is not a column; ``code="bad_record"``
            (``params["problems"]``: every :class:`~geo.validate.Problem`) for invalid values.
        StoreError
            ``code="id_exists"`` when a record (also a retired one) has that id.
        """
        require(user, "editor")
        _check_fields(record, frozenset(_DATA))
        rec = self._validated(record, _cell_text(record.get("id")))
        with self._write() as conn:
            user = self._check_role(conn, user, "editor")
            if conn.execute(sa.select(resources.c.id).where(resources.c.id == rec["id"])
                            ).first() is not None:
                msg = f"a record with id {rec['id']!r} exists already"
                raise StoreError(msg, code="id_exists", params={"id": rec["id"]})
            now = self._now()
            conn.execute(resources.insert().values(
                **rec, version=1, retired=False, seq=self._next_seq(conn), changed_at=now,
                changed_by=user.name))
            _append_audit(conn, [_entry(now, user, "add", rec["id"], 1, None, _json_row(rec))])
            self._bump(conn)
            return self._record(conn, rec["id"])

    def update(self, user: User | None, resource_id: str, changes: Mapping[str, Any],
               expected_version: int) -> dict[str, Any]:
        """Change fields of one record if nobody changed it since ``expected_version``.

        The changed record is validated as a whole. Coordinates in ``changes`` are in
        ``changes["source_crs"]`` (default WGS84); a ``source_crs`` other than WGS84 needs both
        ``lon`` and ``lat``. Changes that leave every value as stored write nothing.

        Parameters
        ----------
        user : User
            An editor or admin.
        resource_id : str
            The record's id (ids cannot be changed).
        changes : mapping
            Column -> new value.
        expected_version : int
            The version the editor read (``record["version"]``).

        Returns
        -------
        dict
            The stored record after the change (``version`` one higher, if anything changed).

        Raises
        ------
        PermissionDenied
            No login, or a viewer.
        NotFound
            ``code="unknown_record"``.
        Conflict
            ``code="edit_conflict"`` when the record's version moved: ``params`` hold the
            stored and the attempted values (see :class:`Conflict`); nothing is written.
        StoreError
            ``code="record_retired"`` for a retired record.
        ValidationError
            ``code="unknown_field"``, ``"crs_needs_lonlat"`` or ``"bad_record"``.
        """
        require(user, "editor")
        _check_fields(changes, _EDITABLE)
        changes = dict(changes)
        crs = _cell_text(changes.get("source_crs")).strip().lower() or "wgs84"
        if "source_crs" in changes and crs != "wgs84" and not {"lon", "lat"} <= changes.keys():
            msg = (f"coordinates in {crs} need both lon and lat, got "
                   f"{', '.join(sorted(changes))}")
            raise ValidationError(msg, code="crs_needs_lonlat",
                                  params={"crs": crs, "id": str(resource_id)})
        current = self.record(resource_id)
        if current["version"] != expected_version:
            with self._read() as conn:
                raise self._conflict(conn, current, expected_version, changes)
        _check_live(current)
        moved = bool({"lon", "lat", "source_crs"} & changes.keys())
        cells = {c: current[c] for c in _DATA}
        cells["source_crs"] = crs if moved else "wgs84"
        cells.update({c: v for c, v in changes.items() if c != "source_crs"})
        rec = self._validated(cells, str(resource_id))
        rec["source_crs"] = rec["source_crs"] if moved else current["source_crs"]
        return self._apply(user, current, rec, expected_version, changes)

    def move(self, user: User | None, resource_id: str, lon: float, lat: float,
             expected_version: int, source_crs: str = "wgs84") -> dict[str, Any]:
        """Move a record to ``lon``, ``lat`` (in ``source_crs``); see :meth:`update`.

        Parameters
        ----------
        user : User
            An editor or admin.
        resource_id : str
            The record's id.
        lon, lat : float
            The new position in ``source_crs`` degrees; stored as WGS84.
        expected_version : int
            The version the editor read.
        source_crs : {"wgs84", "gcj02", "bd09", "cgcs2000"}
            The system the position is given in (Amap: gcj02, Baidu: bd09).

        Returns
        -------
        dict
            The stored record after the move.
        """
        return self.update(user, resource_id, {"lon": lon, "lat": lat, "source_crs": source_crs},
                           expected_version)

    def retire(self, user: User | None, resource_id: str, expected_version: int
               ) -> dict[str, Any]:
        """Retire a record: it leaves the datasets but stays in the store and its history.

        Parameters
        ----------
        user : User
            An editor or admin.
        resource_id : str
            The record's id.
        expected_version : int
            The version the editor read.

        Returns
        -------
        dict
            The stored record (``retired`` True). Retiring a retired record writes nothing.

        Raises
        ------
        PermissionDenied, NotFound, Conflict
            As for :meth:`update`.
        """
        require(user, "editor")
        current = self.record(resource_id)
        attempt = {"retired": True}
        if current["version"] != expected_version:
            with self._read() as conn:
                raise self._conflict(conn, current, expected_version, attempt)
        if current["retired"]:
            return current
        return self._apply(user, current, None, expected_version, attempt)

    def _apply(self, user: User | None, current: dict[str, Any], rec: dict[str, Any] | None,
               expected_version: int, attempted: Mapping[str, Any]) -> dict[str, Any]:
        """Write an update (``rec``) or a retirement (``rec`` None) under the write lock."""
        diff = {} if rec is None else _diff(current, rec)
        if rec is not None and not diff:
            return current
        rid = current["id"]
        with self._write() as conn:
            user = self._check_role(conn, user, "editor")
            now_row = self._record(conn, rid, lock=True)
            if now_row["version"] != expected_version:
                raise self._conflict(conn, now_row, expected_version, attempted)
            _check_live(now_row)
            now = self._now()
            version = expected_version + 1
            if rec is None:
                values: dict[str, Any] = {"retired": True}
                action, before, after = "retire", {"retired": False}, {"retired": True}
            else:
                values = {c: new for c, (_old, new) in diff.items()}
                action = _action(set(diff))
                before = {c: _json_value(old) for c, (old, _new) in diff.items()}
                after = {c: _json_value(new) for c, (_old, new) in diff.items()}
            done = conn.execute(
                resources.update()
                .where(resources.c.id == rid, resources.c.version == expected_version)
                .values(**values, version=version, changed_at=now, changed_by=user.name))
            if done.rowcount != 1:  # cannot happen under the write lock; never write blindly
                raise self._conflict(conn, self._record(conn, rid), expected_version, attempted)
            _append_audit(conn, [_entry(now, user, action, rid, version, before, after)])
            self._bump(conn)
            return self._record(conn, rid)

    @staticmethod
    def _conflict(conn: sa.Connection, current: Mapping[str, Any], expected_version: int,
                  attempted: Mapping[str, Any]) -> Conflict:
        """The Conflict for an edit made at ``expected_version`` of a record now at another."""
        since = conn.execute(
            sa.select(audit.c.after).where(audit.c.resource_id == current["id"],
                                           audit.c.version > expected_version)
            .order_by(audit.c.id)).scalars().all()
        columns = list(attempted)
        for after in since:
            columns += [c for c in (after or {}) if c not in columns]
        stored = {c: _json_value(current[c]) for c in columns if c in current}
        tried = {c: _json_value(v) for c, v in attempted.items()}
        changed_at = current.get("changed_at")
        params = {
            "id": current["id"], "expected_version": int(expected_version),
            "current_version": int(current["version"]),
            "changed_by": current.get("changed_by") or "-",
            "changed_at": changed_at.isoformat(sep=" ", timespec="seconds")
            if isinstance(changed_at, dt.datetime) else "-",
            "columns": columns, "stored": stored, "attempted": tried,
            "stored_text": _pairs_text(stored), "attempted_text": _pairs_text(tried),
        }
        msg = (f"record {current['id']!r} is at version {current['version']} (by "
               f"{params['changed_by']}), not {expected_version}: stored "
               f"{params['stored_text']}; attempted {params['attempted_text']}")
        return Conflict(msg, code="edit_conflict", params=params)

    # -- users -------------------------------------------------------------------------------

    def has_admin(self) -> bool:
        """True when the store has an admin (then users are created by an admin only)."""
        with self._read() as conn:
            return conn.execute(sa.select(users.c.id).where(users.c.role == "admin")
                                ).first() is not None

    def create_user(self, name: str, password: str, role: str, by: User | None = None) -> User:
        """Create a user with a bcrypt hash of ``password`` (the password is not kept).

        There are no default users: the first admin is created with ``by=None``, which works
        only while the store has no admin; every other user is created by an admin.

        Parameters
        ----------
        name : str
            User name, 1 to :data:`MAX_USER_NAME_CHARS` characters (compared without case).
        password : str
            At least :data:`MIN_PASSWORD_CHARS` characters, at most
            :data:`MAX_PASSWORD_BYTES` bytes in UTF-8.
        role : {"viewer", "editor", "admin"}
            The new user's role.
        by : User, optional
            The admin creating the user; None only for the first admin.

        Returns
        -------
        User

        Raises
        ------
        ValidationError
            ``code="bad_user_name"``, ``"password_too_short"``, ``"password_too_long"``, or
            ``"not_one_of"`` for an unknown role.
        PermissionDenied
            ``code="admin_exists"`` when ``by`` is None but an admin exists (or the role is not
            admin); ``"login_required"`` / ``"permission_denied"`` when ``by`` is not an admin.
        StoreError
            ``code="user_exists"``.
        """
        key = normalise_user_name(name)
        if role not in _RANK:
            msg = f"role must be one of {', '.join(ROLES)}, got {role!r}"
            raise ValidationError(msg, code="not_one_of",
                                  params={"value": str(role), "allowed": ", ".join(ROLES)})
        raw = _check_password(password)
        if by is not None:
            require(by, "admin")
        hashed = bcrypt.hashpw(raw, bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")
        with self._write() as conn:
            admin = conn.execute(sa.select(users.c.id).where(users.c.role == "admin")).first()
            if by is None:
                if admin is not None or role != "admin":
                    msg = ("only the first admin is created without a login; an admin creates "
                           "every other user")
                    raise PermissionDenied(msg, code="admin_exists", params={"name": key})
                author = None
            else:
                author = self._check_role(conn, by, "admin").name
            if conn.execute(sa.select(users.c.id).where(users.c.name == key)).first():
                msg = f"user {key!r} exists already"
                raise StoreError(msg, code="user_exists", params={"name": key})
            now = self._now()
            conn.execute(users.insert().values(
                name=key, role=role, password_hash=hashed, failed_count=0, locked_until=None,
                created_at=now, created_by=author, last_login=None))
            _append_audit(conn, [{"at": now, "user_name": author or key,
                                  "action": "create_user", "resource_id": None,
                                  "version": None, "before": None,
                                  "after": {"name": key, "role": role}}])
        return User(key, role)

    def refresh(self, user: User | None) -> User | None:
        """``user`` with the role stored now (an admin may have changed it); None if gone."""
        if user is None:
            return None
        with self._read() as conn:
            role = conn.execute(sa.select(users.c.role).where(users.c.name == user.name)
                                ).scalar_one_or_none()
        return None if role is None else User(user.name, role)

    def users(self, by: User | None) -> pd.DataFrame:
        """Every user (name, role, created, last login, locked until); admins only.

        Raises
        ------
        PermissionDenied
            ``by`` is not an admin.
        """
        require(by, "admin")
        with self._read() as conn:
            self._check_role(conn, by, "admin")
            rows = conn.execute(sa.select(users.c.name, users.c.role, users.c.created_at,
                                          users.c.created_by, users.c.last_login,
                                          users.c.locked_until).order_by(users.c.name)).all()
        return pd.DataFrame([r._asdict() for r in rows],
                            columns=["name", "role", "created_at", "created_by", "last_login",
                                     "locked_until"])

    def set_role(self, by: User | None, name: str, role: str) -> User:
        """Give user ``name`` another role ("viewer" takes away every write); admins only.

        The last admin cannot be demoted, so the store always keeps someone who manages users.

        Raises
        ------
        PermissionDenied
            ``by`` is not an admin; ``code="last_admin"`` when it would leave no admin.
        NotFound
            ``code="unknown_user"``.
        ValidationError
            ``code="not_one_of"`` for an unknown role.
        """
        require(by, "admin")
        key = normalise_user_name(name)
        if role not in _RANK:
            msg = f"role must be one of {', '.join(ROLES)}, got {role!r}"
            raise ValidationError(msg, code="not_one_of",
                                  params={"value": str(role), "allowed": ", ".join(ROLES)})
        with self._write() as conn:
            author = self._check_role(conn, by, "admin").name
            old = conn.execute(sa.select(users.c.role).where(users.c.name == key)
                               ).scalar_one_or_none()
            if old is None:
                raise NotFound(f"no user {key!r}", code="unknown_user", params={"name": key})
            if old == "admin" and role != "admin":
                admins = conn.execute(sa.select(sa.func.count()).where(users.c.role == "admin")
                                      ).scalar_one()
                if admins <= 1:
                    msg = "the last admin keeps the admin role"
                    raise PermissionDenied(msg, code="last_admin", params={"name": key})
            if old != role:
                conn.execute(users.update().where(users.c.name == key).values(role=role))
                _append_audit(conn, [{"at": self._now(), "user_name": author,
                                      "action": "set_role", "resource_id": None,
                                      "version": None, "before": {"name": key, "role": old},
                                      "after": {"name": key, "role": role}}])
        return User(key, role)

    def login(self, name: str, password: str, client: str) -> User:
        """Check a password with bcrypt and return the user; failures are rate-limited.

        At most :data:`MAX_USER_FAILURES` failed logins per user name (since its last
        success) and :data:`MAX_CLIENT_FAILURES` per client within :data:`LOGIN_WINDOW_MIN`
        minutes; beyond that even the right password is refused until the window has passed.
        An attempt is counted as failed before the password is checked, so parallel guesses
        cannot get past the limit. An unknown name and a wrong password give the same error
        (and take the same time).

        Parameters
        ----------
        name : str
            User name (compared without case).
        password : str
            The password typed.
        client : str
            Who is trying: the browser session or address (rate-limited as a whole).

        Returns
        -------
        User

        Raises
        ------
        LoginError
            ``code="login_failed"``; ``code="too_many_attempts"`` with ``params`` ``scope``
            (``"user"`` or ``"client"``) and ``minutes`` (until the next try is allowed).
        """
        try:
            key = normalise_user_name(name)
        except ValidationError:
            key = str(name)[:MAX_USER_NAME_CHARS]
        client = str(client)[:200]
        now = self._now()
        since = now - dt.timedelta(minutes=LOGIN_WINDOW_MIN)
        with self._write() as conn:
            conn.execute(login_attempts.delete().where(
                login_attempts.c.at < now - dt.timedelta(hours=KEEP_ATTEMPTS_H)))
            self._check_rate(conn, key, client, now, since)
            attempt = conn.execute(login_attempts.insert().values(
                client=client, user_name=key, at=now, ok=False)).inserted_primary_key[0]
            row = conn.execute(sa.select(users.c.role, users.c.password_hash)
                               .where(users.c.name == key)).first()
        stored = row.password_hash.encode("ascii") if row is not None else _dummy_hash()
        ok = _password_ok(password, stored) and row is not None
        with self._write() as conn:
            if ok:
                conn.execute(login_attempts.update().where(login_attempts.c.id == attempt)
                             .values(ok=True))
                conn.execute(users.update().where(users.c.name == key).values(
                    failed_count=0, locked_until=None, last_login=now))
                return User(key, row.role)
            if row is not None:
                failures = self._user_failures(conn, key, since)
                locked = (now + dt.timedelta(minutes=LOGIN_WINDOW_MIN)
                          if failures >= MAX_USER_FAILURES else None)
                conn.execute(users.update().where(users.c.name == key).values(
                    failed_count=users.c.failed_count + 1, locked_until=locked))
        msg = f"login refused for {key!r}: wrong user name or password"
        raise LoginError(msg, code="login_failed", params={"name": key})

    @staticmethod
    def _user_failures(conn: sa.Connection, key: str, since: dt.datetime) -> int:
        last_ok = conn.execute(sa.select(sa.func.max(login_attempts.c.at)).where(
            login_attempts.c.user_name == key, login_attempts.c.ok.is_(True))).scalar_one()
        start = max(since, last_ok) if last_ok is not None else since
        return conn.execute(sa.select(sa.func.count()).where(
            login_attempts.c.user_name == key, login_attempts.c.ok.is_(False),
            login_attempts.c.at >= start)).scalar_one()

    def _check_rate(self, conn: sa.Connection, key: str, client: str, now: dt.datetime,
                    since: dt.datetime) -> None:
        window = dt.timedelta(minutes=LOGIN_WINDOW_MIN)
        locked = conn.execute(sa.select(users.c.locked_until).where(users.c.name == key)
                              ).scalar_one_or_none()
        if locked is not None and locked > now:
            minutes = max(1, math.ceil((locked - now).total_seconds() / 60))
            msg = f"user {key!r} is locked for {minutes} more min after failed logins"
            raise LoginError(msg, code="too_many_attempts",
                             params={"scope": "user", "minutes": minutes,
                                     "limit": MAX_USER_FAILURES, "window_min": LOGIN_WINDOW_MIN})
        for scope, column, value, limit in (("user", login_attempts.c.user_name, key,
                                             MAX_USER_FAILURES),
                                            ("client", login_attempts.c.client, client,
                                             MAX_CLIENT_FAILURES)):
            if scope == "user":
                count = self._user_failures(conn, key, since)
            else:
                count = conn.execute(sa.select(sa.func.count()).where(
                    column == value, login_attempts.c.ok.is_(False),
                    login_attempts.c.at >= since)).scalar_one()
            if count < limit:
                continue
            times = conn.execute(sa.select(login_attempts.c.at).where(
                column == value, login_attempts.c.ok.is_(False), login_attempts.c.at >= since)
                .order_by(login_attempts.c.at.desc()).limit(limit)).scalars().all()
            free_at = min(times) + window
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            msg = (f"too many failed logins for this {scope} ({count} in {LOGIN_WINDOW_MIN} "
                   f"min); try again in {minutes} min")
            raise LoginError(msg, code="too_many_attempts",
                             params={"scope": scope, "minutes": minutes, "limit": limit,
                                     "window_min": LOGIN_WINDOW_MIN})


# --- helpers used inside transactions (module level, so tests can make one fail) ------------

def _versioned_update(*, retired: bool, now: dt.datetime, user: User) -> sa.Update:
    """UPDATE of one record by id, only at the version read (bind ``b_id``, ``b_version``)."""
    return (resources.update()
            .where(resources.c.id == sa.bindparam("b_id"))
            .where(resources.c.version == sa.bindparam("b_version"))
            .values(version=resources.c.version + 1, retired=retired, changed_at=now,
                    changed_by=user.name))


def _append_audit(conn: sa.Connection, entries: list[dict[str, Any]]) -> None:
    """Append audit entries in the caller's transaction."""
    if entries:
        conn.execute(audit.insert(), entries)


def _entry(at: dt.datetime, user: User, action: str, resource_id: str | None,
           version: int | None, before: dict[str, Any] | None, after: dict[str, Any] | None
           ) -> dict[str, Any]:
    return {"at": at, "user_name": user.name, "action": action, "resource_id": resource_id,
            "version": version, "before": before, "after": after}


def _check_revision(expected: int, current: int) -> None:
    if current != expected:
        msg = (f"the store changed since the preview (revision {expected} -> {current}); "
               f"preview the file again")
        raise StaleImport(msg, code="store_changed",
                          params={"expected": expected, "current": current})


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in values:
        if key not in allowed:
            msg = f"field {key!r} cannot be set here; use one of {', '.join(sorted(allowed))}"
            raise ValidationError(msg, code="unknown_field", params={"field": str(key)})


def _check_live(record: Mapping[str, Any]) -> None:
    if record["retired"]:
        msg = f"record {record['id']!r} is retired; it cannot be edited"
        raise StoreError(msg, code="record_retired", params={"id": record["id"]})


def _renumber(report: Report, file_rows: np.ndarray) -> Report:
    """The report with table positions (row = position + 2) turned into file row numbers."""
    def at(row: int | None) -> int | None:
        return None if row is None else int(file_rows[row - 2])

    problems = [dataclasses.replace(p, row=at(p.row)) for p in report.problems]
    rows = None if report.rows is None else file_rows[np.asarray(report.rows) - 2]
    return Report(report.n_rows, problems, rows, dict(report.source))
