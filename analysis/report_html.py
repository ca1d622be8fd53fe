"""The report's Markdown as one HTML page (the figures stay PNG files beside it).

report.py writes its report as Markdown lines of a small subset, and this turns exactly that
subset into HTML, so both formats come from the same text: `#` / `##` headings, tables
(`| a | b |` rows, the second a `|---|` rule), images on their own line (`![caption](file.png)`),
an emphasised caption line (`*text*`), bullet items (`- text`), paragraphs, and inline `code`
and **bold**. Everything is HTML-escaped first.
"""
import html
import re

STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
         "th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}th{background:#eee}"
         "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
         "figure{margin:1em 0}figcaption{font-style:italic;color:#444}code{background:#f3f3f3}")
IMAGE = re.compile(r"^!\[(.*)\]\(([^)]+)\)$")


def inline(text):
    t = html.escape(text, quote=False)
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", t)


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def to_html(lines, title):
    out = [f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
           f"<style>{STYLE}</style></head><body>"]
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{inline(line[level:].strip())}</h{level}>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            body = [r for r in rows[1:] if not set(r.replace("|", "").strip()) <= set("-: ")]
            out.append("<table><tr>" + "".join(f"<th>{inline(c)}</th>" for c in cells(rows[0])) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells(r)) + "</tr>" for r in body]
            out.append("</table>")
        elif IMAGE.match(line):
            caption, src = IMAGE.match(line).groups()
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i < len(lines) and lines[i].startswith("*") and lines[i].endswith("*") and not lines[i].startswith("**"):
                i += 1  # the caption line below the image: shown once, as the figure's caption
            out.append(f"<figure><img src=\"{html.escape(src)}\" alt=\"{html.escape(caption)}\">"
                       f"<figcaption>{inline(caption)}</figcaption></figure>")
        elif line.startswith("- "):
            out.append("<ul>")
            while i < len(lines) and lines[i].startswith("- "):
                out.append(f"<li>{inline(lines[i][2:])}</li>")
                i += 1
            out.append("</ul>")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|", "- ", "![")):
                para.append(lines[i])
                i += 1
            out.append(f"<p>{inline(' '.join(para))}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
