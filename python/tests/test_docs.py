"""The ```python blocks of docs/pytorch.md and of the README, each page run in order
as one script whose line numbers are the page's, so a failure points at the line of
the docs."""

import os
import re
import runpy

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOC = os.path.join(REPO, "docs", "pytorch.md")
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def python_of(markdown):
    """The page with everything but its python blocks blanked, line for line."""
    keep = [" "] * len(markdown)
    for m in BLOCK.finditer(markdown):
        keep[m.start(1):m.end(1)] = markdown[m.start(1):m.end(1)]
    return "".join(c if c == "\n" or k != " " else " " for c, k in zip(markdown, keep)).replace(" \n", "\n")


def test_python_snippets_of_docs_pytorch_md_run(compiled, tmp_path):
    with open(DOC) as f:
        markdown = f.read()
    assert len(BLOCK.findall(markdown)) >= 4
    script = tmp_path / "pytorch_md.py"
    script.write_text("\n".join(l.rstrip() for l in python_of(markdown).splitlines()) + "\n")
    ns = runpy.run_path(str(script), run_name="pytorch_md")
    # The page's functions are the suite's in other words: the cache serves them.
    for name in ("relu3", "mix", "gelu"):
        assert ns[name].op_name == compiled[name].op_name, name


def test_python_snippets_of_the_readme_run(tmp_path):
    with open(os.path.join(REPO, "README.md")) as f:
        markdown = f.read()
    assert BLOCK.findall(markdown)
    script = tmp_path / "readme.py"
    script.write_text("\n".join(l.rstrip() for l in python_of(markdown).splitlines()) + "\n")
    ns = runpy.run_path(str(script), run_name="readme")
    import torch

    x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    torch.testing.assert_close(ns["relu3"](x), torch.tensor([0.0, 0.5**3 / 3, 2 - 2 / 3], dtype=torch.float64))


def test_python_of_keeps_line_numbers():
    md = "text\n```python\nx = 1\n```\nmore\n```sh\nls\n```\n```python\ny = 2\n```\n"
    lines = python_of(md).splitlines()
    assert lines[2] == "x = 1" and lines[9] == "y = 2"
    assert all(not l.strip() for i, l in enumerate(lines) if i not in (2, 9))


def test_docs_link_only_to_files_that_exist():
    with open(DOC) as f:
        prose = re.sub(r"^```.*?^```", "", f.read(), flags=re.S | re.M)
    links = re.findall(r"\]\(([^)#]+)\)", prose)
    assert links
    for target in links:
        if "://" not in target:
            assert os.path.exists(os.path.join(os.path.dirname(DOC), target)), target
