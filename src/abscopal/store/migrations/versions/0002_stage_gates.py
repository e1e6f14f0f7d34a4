"""stage gates: recorded decisions that open the next stage of a trial

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stage_gates",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_stage_id", sa.String(length=64), nullable=True),
        sa.Column("evaluable", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=True),
        sa.Column("dlts", sa.Integer(), nullable=True),
        sa.Column("decision", sa.Boolean(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rule_version", sa.String(length=32), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["trial_id"], ["trials.id"], name=op.f("fk_stage_gates_trial_id_trials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_gates")),
    )
    with op.batch_alter_table("stage_gates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_gates_trial_id"), ["trial_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stage_gates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_gates_trial_id"))
    op.drop_table("stage_gates")
