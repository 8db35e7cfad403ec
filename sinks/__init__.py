"""Where events land: ClickHouse (a server, or embedded chDB), in batches."""
