"""On PostgreSQL the tsvector is kept in the entry's row (storage MAIN) instead
of out of line in the TOAST table, so that testing an entry against a query,
and ranking it, reads one heap page and decompresses nothing: a search that
walks the newest entries tests thousands of them. The other texts move out of
line instead; only a tsvector too large for a page still goes there.
Other databases have no tsvector: nothing to do."""

from django.db import migrations

FORWARD = """
ALTER TABLE asean_portal_searchentry ALTER COLUMN vector SET STORAGE MAIN;
-- The storage applies to values written from now on: the trigger computes
-- every entry's vector again (an UPDATE OF title_vi fires it).
UPDATE asean_portal_searchentry SET title_vi = title_vi;
ANALYZE asean_portal_searchentry;
"""

BACKWARD = """
ALTER TABLE asean_portal_searchentry ALTER COLUMN vector SET STORAGE EXTENDED;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("asean_portal", "0016_role_proxy")]

    operations = [migrations.RunPython(forward, backward)]
