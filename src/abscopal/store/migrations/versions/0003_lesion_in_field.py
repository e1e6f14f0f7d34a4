"""lesion measurements: in_field (lesion inside an irradiated field; null = not recorded)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lesion_measurements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_field", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lesion_measurements", schema=None) as batch_op:
        batch_op.drop_column("in_field")
