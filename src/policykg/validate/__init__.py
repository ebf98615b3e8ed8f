"""Stage 6, validate: SHACL shapes and legal rules over each built version, findings with their provisions and
quoted spans, reports in text, HTML, JSON, Turtle and Markdown; HermiT consistency."""
