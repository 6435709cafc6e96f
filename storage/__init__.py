"""The storage floor: peewee models, migrations, the database opener and the photo store."""
