"""Places the split pieces into a console dist/ (scripts/split.sh).

The pieces and the loader get a content hash in their names and every reference to them is
rewritten; the two files that index.html preloads with an integrity hash (the main piece's glue
and wasm, which keep trunk's names) get their hashes recomputed. Each rewrite must match (a piece's
name exactly once): a tool upgrade that changes the generated text fails the build instead of
shipping a console that cannot fetch its pieces.
"""
import base64
import hashlib
import os
import re
import sys


def fail(msg):
    sys.exit(f"split_dist: {msg}")


def short_hash(data):
    return hashlib.sha256(data).hexdigest()[:16]


def replace_once(text, old, new, where):
    n = text.count(old)
    if n != 1:
        fail(f"expected {old!r} once in {where}, found it {n} times")
    return text.replace(old, new)


def main(dist, stem, pieces_dir, loader_path):
    loader = open(loader_path).read()
    for name in sorted(os.listdir(pieces_dir)):
        data = open(os.path.join(pieces_dir, name), "rb").read()
        base = name[: -len(".wasm")]
        hashed = f"{base}-{short_hash(data)}.wasm"
        loader = replace_once(loader, f'"./{name}"', f'"./{hashed}"', "the loader")
        with open(os.path.join(dist, hashed), "wb") as f:
            f.write(data)
    loader_bytes = loader.encode()
    loader_name = f"__wasm_split-{short_hash(loader_bytes)}.js"
    with open(os.path.join(dist, loader_name), "wb") as f:
        f.write(loader_bytes)

    glue_path = os.path.join(dist, f"{stem}.js")
    glue = open(glue_path).read()
    # The main piece imports the loader (once per split point) by the name wasm-split-cli gave
    # it; the module names in its imports object stay, as they are the wasm's own import names.
    glue, n = re.subn(r"""(from\s*['"])\./__wasm_split\.js(['"])""", lambda m: m.group(1) + "./" + loader_name + m.group(2), glue)
    if n == 0:
        fail(f"{stem}.js does not import ./__wasm_split.js")
    open(glue_path, "w").write(glue)

    html_path = os.path.join(dist, "index.html")
    html = open(html_path).read()
    for name in (f"{stem}.js", f"{stem}_bg.wasm"):
        digest = base64.b64encode(hashlib.sha384(open(os.path.join(dist, name), "rb").read()).digest()).decode()
        html, n = re.subn(
            r'(href="\./' + re.escape(name) + r'"[^>]*integrity=")[^"]*',
            lambda m: m.group(1) + "sha384-" + digest,
            html,
        )
        if n != 1:
            fail(f"index.html does not preload {name} with an integrity hash")
    open(html_path, "w").write(html)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        fail("usage: split_dist.py <dist> <stem> <optimised pieces dir> <__wasm_split.js>")
    main(*sys.argv[1:])
