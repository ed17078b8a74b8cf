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

META_RE = re.compile(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
SCRIPT_RE = re.compile(r"<script(?: [^>]*)?>(.*?)</script>", re.S)


def fail(msg):
    print(f"deploy_config: {msg}", file=sys.stderr)
    sys.exit(1)


HOST_RE = re.compile(r"[A-Za-z0-9._-]+\Z")
V6_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]\Z")
PORT_RE = re.compile(r"[0-9]{1,5}\Z")


def is_origin(s):
    """The console's rule (src/config.rs `is_origin`), on text already trimmed of whitespace and
    trailing slashes: exactly http:// or https://, an ASCII host name or a bracketed IPv6 literal,
    an optional :port of 1-5 digits, nothing else. Both are tested on tests/fixtures/origins.json."""
    for scheme in ("https://", "http://"):
        if s.startswith(scheme):
            rest = s[len(scheme):]
            break
    else:
        return False
    if rest.startswith("["):
        addr, bracket, after = rest.partition("]")
        if not bracket or not V6_RE.match(addr + "]"):
            return False
        return after == "" or (after.startswith(":") and bool(PORT_RE.match(after[1:])))
    host, colon, port = rest.partition(":")
    return bool(HOST_RE.match(host)) and (not colon or bool(PORT_RE.match(port)))


# Unicode White_Space, what Rust's str::trim removes (Python's own strip() also removes \x1c-\x1f).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"


def origin(url, what):
    # The same normalization the console applies before its check.
    s = url.strip(WHITE_SPACE).rstrip("/") if isinstance(url, str) else ""
    if not is_origin(s):
        fail(f"{what} {url!r} is not an origin (scheme://host[:port], as the console requires)")
    return s


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
        # Every DOM sink that parses HTML or runs script takes only Trusted Types. The one policy
        # that may make TrustedHTML is js/trusted-types.js's `default` (it refuses any markup that
        # is not the console's own), plus the one DOMPurify makes for its own parsing; no other
        # name, and no duplicate, can be created.
        "require-trusted-types-for 'script'",
        "trusted-types default dompurify",
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
