#!/usr/bin/env python3
"""Fail when documentation points at a file that is not in the repository.

Checks every relative Markdown link and image ([text](path), ![alt](path)) in
README.md, CHANGELOG.md and docs/*.md, and every `Docs: path` pointer in the public
headers. A link must resolve to an existing file or folder inside the repository (a
link that leaves it, such as ../elsewhere, breaks for everyone with a clone).
External links (https:, mailto:) and in-page anchors (#section) are not checked.

    check_links.py [ROOT]       exit 1 and list the broken links, if any
"""
import pathlib
import re
import sys

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOCS_POINTER = re.compile(r"Docs:\s+(\S+\.md)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def broken_links(root: pathlib.Path) -> list[str]:
    problems = []

    def check(source: pathlib.Path, line: int, target: str, base: pathlib.Path) -> None:
        if EXTERNAL.match(target) or target.startswith("#"):
            return
        path = (base / target.split("#", 1)[0]).resolve()
        where = f"{source.relative_to(root)}:{line}"
        if root not in path.parents and path != root:
            problems.append(f"{where}: {target} leaves the repository")
        elif not path.exists():
            problems.append(f"{where}: {target} does not exist")

    markdown = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").glob("*.md"))]
    for md in markdown:
        if not md.exists():
            continue
        text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), md.read_text())
        for m in LINK.finditer(text):
            check(md, text.count("\n", 0, m.start()) + 1, m.group(1), md.parent)
    for header in sorted((root / "include").rglob("*.hpp")):
        text = header.read_text()
        for m in DOCS_POINTER.finditer(text):
            check(header, text.count("\n", 0, m.start()) + 1, m.group(1), root)
    return problems


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent).resolve()
    problems = broken_links(root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
