"""Self-contained HTML pages (inline style, no scripts or external assets) for reports people forward."""

from __future__ import annotations

import html

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
.summary{font-weight:600;padding:.6rem .8rem;border-radius:.3rem;background:#eef5ee}
.summary.fail{background:#fbeaea}
.sev{display:inline-block;font-size:.8rem;font-weight:700;padding:.05rem .45rem;border-radius:.25rem;color:#fff}
.Violation{background:#b3261e}.Warning{background:#a15c00}.Info{background:#2d5f9a}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.35rem .5rem;
vertical-align:top;text-align:left}th{background:#f4f4f4}code,.iri{font-family:ui-monospace,monospace;font-size:.8rem;
word-break:break-all;color:#555}blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:3px solid #bbb;color:#333;
background:#fafafa;white-space:pre-wrap}.note{color:#555;font-style:italic}
.added{background:#e6f4ea}.removed{background:#fce8e6}ins{background:#e6f4ea;text-decoration:none}
del{background:#fce8e6}
"""


def e(text: object) -> str:
    """HTML-escape a value."""
    return html.escape(str(text), quote=True)


def link(iri: str, text: str | None = None) -> str:
    """An anchor for http(s) IRIs, the escaped text otherwise."""
    label = e(text if text is not None else iri)
    if iri.startswith(("http://", "https://")):
        return f'<a href="{e(iri)}">{label}</a>'
    return label


def page(title: str, body: list[str]) -> str:
    """A whole page around body fragments."""
    head = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)}</title><style>{CSS}</style></head><body>"]
    return "\n".join([*head, *body, "</body></html>"]) + "\n"
