"""What an event is: the canonical journey event and the partner formats that map to it."""
