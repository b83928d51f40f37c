"""The indexed database: SQLAlchemy models, engine set-up and Alembic migrations.

The indexer writes these tables; the API reads them. Postgres is the production store (`DATABASE_URL`),
SQLite the embedded default. Both run the same migrations.
"""
