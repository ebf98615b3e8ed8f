"""Stage 4, compare: versions in, what links and separates them out: rows matched across versions, lineages and
counterparts, the diff of two versions (with quotes from both texts), its change graph and its renderings."""
