"""Domain knowledge kept as data, each entry with a note on where it comes from."""
