"""Stage 1, read a text: a captured policy text (markdown with tables or headed blocks) in, its rows, listed items and
effective date out, each with exact character offsets; phrase normalisation for comparing texts."""
