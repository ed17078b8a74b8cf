#!/usr/bin/env python3
"""A static file server that sends the headers of a Netlify/Cloudflare-style `_headers` file.

`python3 -m http.server` sends no security headers, so a test served by it can never see
`frame-ancestors` (a header-only CSP directive) act. This serves DIR exactly like it, plus the
headers `scripts/deploy_config.py` wrote to DIR/_headers, as a static host honouring that file
would: a line starting at column 0 is a path pattern (`/*` = every path, `/x/*` a prefix, else an
exact path), and the indented `Name: value` lines under it apply to the paths it matches.

Usage: serve_with_headers.py PORT DIR   (binds 127.0.0.1 only; PORT 0 lets the kernel choose,
and the first stdout line, `listening port N`, says which)
"""
import functools
import http.server
import sys
from pathlib import Path


def parse_headers(text):
    rules = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        elif rules and ":" in line:
            name, value = line.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def matches(pattern, path):
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


class Handler(http.server.SimpleHTTPRequestHandler):
    rules = []

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        for pattern, headers in self.rules:
            if matches(pattern, path):
                for name, value in headers:
                    self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


def main():
    port, root = int(sys.argv[1]), Path(sys.argv[2])
    # _headers may sit under a sub-path (the console deployed at /tools/console/): its patterns
    # are relative to where it sits.
    for f in sorted(root.rglob("_headers")):
        base = "/" + str(f.parent.relative_to(root)).strip(".").strip("/")
        base = base.rstrip("/")
        for pattern, headers in parse_headers(f.read_text()):
            Handler.rules.append((base + pattern, headers))
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    # Port 0 lets the kernel choose; the harness reads the port from this line.
    print(f"listening port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
