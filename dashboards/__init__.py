"""How people see the data: dashboard panels as named ClickHouse queries."""
