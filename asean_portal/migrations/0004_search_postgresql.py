"""On PostgreSQL: unaccent, a tsvector kept by a trigger, and a GIN index.
Other databases search the entries' normalized text instead."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION portal_unaccent(text) RETURNS text AS
  $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;
CREATE OR REPLACE FUNCTION asean_portal_searchentry_vector() RETURNS trigger AS $$
BEGIN
  NEW.vector :=
    setweight(to_tsvector('simple', portal_unaccent(
      coalesce(NEW.title_vi, '') || ' ' || coalesce(NEW.title_en, ''))), 'A') ||
    setweight(to_tsvector('simple', portal_unaccent(
      coalesce(NEW.body_vi, '') || ' ' || coalesce(NEW.body_en, ''))), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER asean_portal_searchentry_vector
  BEFORE INSERT OR UPDATE OF title_vi, title_en, body_vi, body_en
  ON asean_portal_searchentry FOR EACH ROW EXECUTE FUNCTION asean_portal_searchentry_vector();
CREATE INDEX asean_portal_searchentry_vector_gin
  ON asean_portal_searchentry USING gin (vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS asean_portal_searchentry_vector_gin;
DROP TRIGGER IF EXISTS asean_portal_searchentry_vector ON asean_portal_searchentry;
DROP FUNCTION IF EXISTS asean_portal_searchentry_vector();
DROP FUNCTION IF EXISTS portal_unaccent(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("asean_portal", "0003_search_entry")]

    operations = [
        migrations.RunPython(forward, backward),
    ]
