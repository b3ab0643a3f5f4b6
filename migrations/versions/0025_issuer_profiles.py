"""One issuer per instansi: issuer profiles, their key history, and each certificate's issuer.

Certificates already issued keep issuer_id NULL, which means the platform's issuer. The
platform's first history entry is the deployment's current key (CERTIFICATE_SIGNING_KEY or
instance/certificate-signing-key.pem); a migration cannot read that key, so the app records
it on first use (elearn/issuers/registry.py), before anything is signed or verified.

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-05 09:06:54.620504

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issuer_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(unit_id IS NULL) = (slug = 'platform')", name=op.f('ck_issuer_profile_platform_has_no_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_issuer_profile_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_profile')),
    sa.UniqueConstraint('slug', name=op.f('uq_issuer_profile_slug')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_issuer_profile_unit_id'))
    )
    op.create_table('issuer_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer_profile.id'], name=op.f('fk_issuer_key_issuer_id_issuer_profile'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_key')),
    sa.UniqueConstraint('kid', name=op.f('uq_issuer_key_kid'))
    )
    with op.batch_alter_table('issuer_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_key_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_index('uq_issuer_key_current', ['issuer_id'], unique=True, sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificate_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_issuer_id_issuer_profile'), 'issuer_profile', ['issuer_id'], ['id'], ondelete='RESTRICT')



def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificate_issuer_id_issuer_profile'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificate_issuer_id'))
        batch_op.drop_column('issuer_id')

    with op.batch_alter_table('issuer_key', schema=None) as batch_op:
        batch_op.drop_index('uq_issuer_key_current', sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_issuer_key_issuer_id'))

    op.drop_table('issuer_key')
    op.drop_table('issuer_profile')
