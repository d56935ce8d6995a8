"""The audit table refuses UPDATE and DELETE at the database (tamper resistance behind the hash chain)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION compliance_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'compliance_auditentry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER compliance_auditentry_append_only
    BEFORE UPDATE OR DELETE ON compliance_auditentry
    FOR EACH ROW EXECUTE FUNCTION compliance_auditentry_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS compliance_auditentry_append_only ON compliance_auditentry;
DROP FUNCTION IF EXISTS compliance_auditentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
