"""The ground floor: errors, prefixes and the vocabulary, literal forms, reading and writing files,
and where the sources live. It imports nothing else from mkgraph."""
