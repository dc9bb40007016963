"""Webhooks: admins register URLs for publication events; each event is delivered
as a signed POST, retried on a schedule kept in the database."""
