#!/usr/bin/env python3
"""Configure a built console (dist/) for one deployment.

The console reads config.json at run time, so one build serves every deployment. Its
Content-Security-Policy cannot be fixed at build time, though: `connect-src` must list exactly the
configured regions, and `frame-ancestors` exactly the allowed embedding parents. This script
derives both from the deployment's config.json and writes:

  DIR/config.json    the deployment's config (copied)
  DIR/index.html     with a <meta http-equiv="Content-Security-Policy"> (everything a meta can carry)
  DIR/_headers       headers for Netlify / Cloudflare Pages style static hosts
  DIR/nginx.conf.sample  the same headers as an nginx server block

A <meta> CSP cannot carry `frame-ancestors` (browsers ignore it there), and X-Content-Type-Options
and a Referrer-Policy header must be HTTP headers to cover every response: serve _headers or the
nginx block for those. The inline bootstrap script trunk writes is allowed by its sha256 hash, so
no 'unsafe-inline' is needed.

Usage: deploy_config.py --dist DIR --config CONFIG.json
"""
import argparse
import base64
import hashlib
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

META_RE = re.compile(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
SCRIPT_RE = re.compile(r"<script(?: [^>]*)?>(.*?)</script>", re.S)


def fail(msg):
    print(f"deploy_config: {msg}", file=sys.stderr)
    sys.exit(1)


def origin(url, what):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        fail(f"{what} {url!r} is not an http(s) origin")
    return f"{parts.scheme}://{parts.netloc}"


def policies(index_html, config):
    regions = config.get("regions") or []
    if not regions:
        fail("config has no regions")
    apis = sorted({origin(r.get("api", ""), f"region {r.get('id')!r} api") for r in regions})
    parents = sorted({origin(o, "embed parent") for o in (config.get("embed") or {}).get("allowed_parent_origins") or []})
    hashes = []
    for body in SCRIPT_RE.findall(index_html):
        if body.strip():
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    common = [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' " + " ".join(apis),
        "base-uri 'self'",
        "form-action 'none'",
    ]
    meta = "; ".join(common)
    header = "; ".join(common + ["frame-ancestors " + (" ".join(parents) if parents else "'none'")])
    return meta, header


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dist", required=True, type=Path)
    ap.add_argument("--config", required=True, type=Path)
    args = ap.parse_args()
    index = args.dist / "index.html"
    if not index.is_file():
        fail(f"{index} not found: build the console first (scripts/build.sh)")
    try:
        config = json.loads(args.config.read_text())
    except (OSError, ValueError) as e:
        fail(f"cannot read {args.config}: {e}")
    html = META_RE.sub("\n", index.read_text())
    meta, header = policies(html, config)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{meta}">'
    html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  ' + tag, 1)
    if tag not in html:
        fail("index.html has no <meta charset=\"utf-8\"> to anchor the CSP after")
    index.write_text(html)
    if args.config.resolve() != (args.dist / "config.json").resolve():
        (args.dist / "config.json").write_text(args.config.read_text())
    headers = {
        "Content-Security-Policy": header,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), clipboard-write=(self)",
    }
    (args.dist / "_headers").write_text("/*\n" + "".join(f"  {k}: {v}\n" for k, v in headers.items()))
    header_lines = [f'    add_header {k} "{v}" always;' for k, v in headers.items()]
    nginx = ["# nginx: dist/ as plain static files. No rewrite rules: deep links live in the URL hash.",
             "# (nginx's mime.types maps .wasm to application/wasm since 1.21.)",
             "location /console/ {", "    alias /srv/regional-console/;", "    try_files $uri =404;"]
    nginx += header_lines
    # A nested location with its own add_header drops the outer ones, so they are repeated.
    nginx += ["    # config.json changes per deployment: never cache it (hashed assets can be cached forever).",
              "    location = /console/config.json {", "        alias /srv/regional-console/config.json;",
              '        add_header Cache-Control "no-cache" always;']
    nginx += ["    " + line for line in header_lines]
    nginx += ["    }", "}"]
    (args.dist / "nginx.conf.sample").write_text("\n".join(nginx) + "\n")
    print(f"configured {args.dist}: connect-src {meta.split('connect-src ')[1].split(';')[0]}")


if __name__ == "__main__":
    main()
