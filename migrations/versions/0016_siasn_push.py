"""SIASN: per-instansi code lists, the person id of a user, one push row per record.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-05 06:25:23.872229

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('siasn_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instansi_id'], ['unit.id'], name=op.f('fk_siasn_code_instansi_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_siasn_code')),
    sa.UniqueConstraint('instansi_id', 'list_name', 'key', name=op.f('uq_siasn_code_instansi_id_list_name_key'))
    )
    op.create_table('siasn_person',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('pns_orang_id', sa.String(length=64), nullable=False),
    sa.Column('looked_up_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_siasn_person_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_siasn_person'))
    )
    op.create_table('siasn_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('shape', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('siasn_id', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(certificate_id IS NULL) <> (training_id IS NULL)', name=op.f('ck_siasn_push_one_source')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_siasn_push_certificate_id_certificate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instansi_id'], ['unit.id'], name=op.f('fk_siasn_push_instansi_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['external_training.id'], name=op.f('fk_siasn_push_training_id_external_training'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_siasn_push_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_siasn_push')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_siasn_push_certificate_id')),
    sa.UniqueConstraint('training_id', name=op.f('uq_siasn_push_training_id'))
    )
    with op.batch_alter_table('siasn_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_siasn_push_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_siasn_push_year_instansi', ['year', 'instansi_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('siasn_push', schema=None) as batch_op:
        batch_op.drop_index('ix_siasn_push_year_instansi')
        batch_op.drop_index(batch_op.f('ix_siasn_push_user_id'))

    op.drop_table('siasn_push')
    op.drop_table('siasn_person')
    op.drop_table('siasn_code')
