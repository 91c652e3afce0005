#!/usr/bin/env python3
"""Write every ```cpp fenced block of the given Markdown files to its own .cpp file.

Prints one line per snippet, `program|PATH` when it has a main() (it is built and run)
or `object|PATH` (it is compiled). Files are only rewritten when their text changes.
"""
import argparse
import pathlib
import re

BLOCK = re.compile(r"^```cpp[^\n]*\n(.*?)^```", re.S | re.M)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("markdown", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = []
    for md in args.markdown:
        if not md.exists():
            continue
        stem = re.sub(r"\W", "_", md.stem)
        for i, m in enumerate(BLOCK.finditer(md.read_text())):
            line = md.read_text()[: m.start()].count("\n") + 1
            body = f"// {md.name}:{line}\n#line {line + 1} \"{md}\"\n" + m.group(1)
            path = args.out / f"{stem}_{i}.cpp"
            if not path.exists() or path.read_text() != body:
                path.write_text(body)
            kind = "program" if re.search(r"\bint\s+main\s*\(", m.group(1)) else "object"
            lines.append(f"{kind}|{path}")
    print(";".join(lines), end="")


if __name__ == "__main__":
    main()
