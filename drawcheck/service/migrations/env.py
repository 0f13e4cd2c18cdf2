"""Alembic environment of the review service: run online on the connection given by :func:`..db.migrate`."""

from alembic import context

from drawcheck.service.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
