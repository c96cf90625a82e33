"""The store's first schema: resources, meta, audit, users, login_attempts.

The resource columns are those of ``geo.schema.RESOURCE_SPEC`` when this revision was written,
spelt out (a migration never changes with the code). A column added to the spec later comes
with a new revision; ``tests/test_store.py`` compares the migrated schema with
``geo.store.METADATA``, so a missing migration is noticed.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "resources",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text()),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("address", sa.Text()),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("source_crs", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("hours", sa.Text()),
        sa.Column("updated_at", sa.Date()),
        sa.Column("venue_type", sa.Text()),
        sa.Column("placement", sa.Text()),
        sa.Column("installed_date", sa.Date()),
        sa.Column("pads_expiry", sa.Date()),
        sa.Column("battery_expiry", sa.Date()),
        sa.Column("last_check", sa.Date()),
        sa.Column("guardian", sa.Text()),
        sa.Column("guardian_phone", sa.Text()),
        sa.Column("capacity_m3", sa.BigInteger()),
        sa.Column("stock_family_kit", sa.BigInteger()),
        sa.Column("stock_tent", sa.BigInteger()),
        sa.Column("stock_quilt", sa.BigInteger()),
        sa.Column("stock_life_jacket", sa.BigInteger()),
        sa.Column("stock_water_case", sa.BigInteger()),
        sa.Column("serves", sa.Text()),
        sa.Column("staff", sa.BigInteger()),
        sa.Column("specialty", sa.Text()),
        sa.Column("members", sa.BigInteger()),
        sa.Column("boats", sa.BigInteger()),
        sa.Column("vehicles", sa.BigInteger()),
        sa.Column("trainees_per_year", sa.BigInteger()),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resource_id", sa.Text(), sa.ForeignKey("resources.id"), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_resource_id", "audit", ["resource_id"])
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "users",
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
    op.create_table(
        "login_attempts",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_login_attempts_user_at", "login_attempts", ["user_name", "at"])
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"])


def downgrade() -> None:
    """Drop the tables (and every record in them)."""
    op.drop_table("login_attempts")
    op.drop_table("users")
    op.drop_table("audit")
    op.drop_table("meta")
    op.drop_table("resources")
