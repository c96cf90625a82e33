"""Alembic environment of the data store.

``geo.store.open_store`` hands over its own connection (already in a locked transaction) in
``config.attributes["connection"]``; the ``alembic`` command line opens one from ``-x url=...``
or the ``database_url`` setting, with the store's engine settings (WAL, busy timeout).
"""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

from geo.store import METADATA, make_engine

config = context.config
target_metadata = METADATA


def _url() -> str:
    """The database URL: ``-x url=...``, else ``sqlalchemy.url``, else the settings."""
    given = context.get_x_argument(as_dictionary=True).get("url")
    if given:
        return given
    if config.get_main_option("sqlalchemy.url"):
        return config.get_main_option("sqlalchemy.url")
    from geo.settings import SETTINGS

    return SETTINGS.database_url


def _run(connection: sa.Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite's DDL is transactional once BEGIN is sent (geo.store.make_engine sends it).
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=sqlite, transactional_ddl=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL to stdout (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the store's connection, or on one opened from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            conn.execution_options(rcd_write=True)
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
