"""Exit 0 when the PostgreSQL server named by the URL in argv[1] accepts a connection."""

import sys

import dj_database_url
import psycopg


def main() -> int:
    config = dj_database_url.parse(sys.argv[1])
    try:
        psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=int(config["PORT"] or 5432),
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
