#!/usr/bin/env python3
"""The ks-translate command line: exit status, the error format (file:line:col: error:
message, the source line, a caret), what is written and what is left alone, and every
option. Usage: cli_test.py PATH/TO/ks-translate VERSION"""
import os
import subprocess
import sys
import tempfile
import unittest

TOOL = None
VERSION = None

RELU3 = "def relu3(x):\n    if x < 0.0:\n        return 0.0\n    return x\n"


def read(path):
    with open(path) as f:
        return f.read()


def run(*args, cwd=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


class cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_translates_and_writes_the_header(self):
        src = self.write("relu3.py", RELU3)
        out = os.path.join(self.dir, "relu3.hpp")
        r = run(src, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        text = read(out)
        self.assertIn("namespace relu3 {", text)
        self.assertIn("inline constexpr auto relu3 = [](auto x) {", text)
        self.assertEqual(sorted(os.listdir(self.dir)), ["relu3.hpp", "relu3.py"])  # no temporary left

    def test_error_format_exit_status_and_no_output(self):
        cases = {
            "bad.py": ("def f(x):\n\tif x:\n\t\treturn x ** [1]\n", 3, 15, "containers are not supported",
                       "\t\treturn x ** [1]", "\t\t            ^"),
            "bad.jl": ("f(x) = x +\n  y .+ 1\n", 2, 5, "broadcasting is not supported", "  y .+ 1", "    ^"),
            "bad.fs": ("let f x = let a = 1/x in a/(1+a)\n", 1, 7, "is int in F#",
                       "let f x = let a = 1/x in a/(1+a)", "      ^"),
        }
        for name, (text, line, col, message, shown, caret) in cases.items():
            with self.subTest(name=name):
                src = self.write(name, text)
                out = os.path.join(self.dir, name + ".hpp")
                r = run(src, "-o", out)
                self.assertEqual(r.returncode, 1)
                self.assertEqual(r.stdout, "")
                lines = r.stderr.split("\n")
                self.assertTrue(lines[0].startswith(f"{src}:{line}:{col}: error: "), lines[0])
                self.assertIn(message, lines[0])
                self.assertEqual(lines[1], "  " + shown)
                self.assertEqual(lines[2], "  " + caret)
                self.assertFalse(os.path.exists(out))
                self.assertFalse(os.path.exists(out + ".tmp"))

    def test_an_existing_output_is_left_untouched_on_error(self):
        src = self.write("f.py", "def f(x):\n    for i in x:\n        pass\n")
        out = self.write("f.hpp", "previous contents\n")
        before = os.stat(out).st_mtime_ns
        r = run(src, "-o", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("f.py:2:5: error: loops are not supported", r.stderr)
        self.assertEqual(read(out), "previous contents\n")
        self.assertEqual(os.stat(out).st_mtime_ns, before)

    def test_language_from_extension_or_lang(self):
        julia = "relu(x) = x < 0 ? 0.0 : x\n"
        src = self.write("relu.txt", julia)
        r = run(src, "-o", "-")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot tell the language", r.stderr)
        r = run(src, "-o", "-", "--lang", "julia")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ks::select(x < 0.0, 0.0, x)", r.stdout)
        # --lang wins over the extension
        src = self.write("relu.py", julia)
        self.assertEqual(run(src, "-o", "-", "--lang", "julia").returncode, 0)
        self.assertEqual(run(src, "-o", "-").returncode, 1)
        for ext, lang, text in ((".jl", "julia", julia), (".fs", "fsharp", "let f (x: float) = x\n"),
                                (".fsx", "fsharp", "let f (x: float) = x\n")):
            src = self.write("g" + ext, text)
            self.assertEqual(run(src, "-o", "-").returncode, 0, ext)
        r = run(src, "-o", "-", "--lang", "cobol")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown language 'cobol'", r.stderr)

    def test_namespace(self):
        src = self.write("my-activations.py", RELU3)
        self.assertIn("namespace my_activations {", run(src, "-o", "-").stdout)
        self.assertIn("namespace acts {", run(src, "-o", "-", "--namespace", "acts").stdout)
        r = run(src, "-o", "-", "--namespace", "company::nn::acts")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("namespace company::nn::acts {", r.stdout)
        self.assertIn("}  // namespace company::nn::acts", r.stdout)
        for bad in ("1st", "a b", "std", "a::", "::a", "a:::b", "_x", "ks", "NS", "a-b"):
            with self.subTest(ns=bad):
                r = run(src, "-o", "-", "--namespace", bad)
                self.assertEqual(r.returncode, 2)
                self.assertIn("is not a usable C++ namespace name", r.stderr)

    def test_standard_output(self):
        src = self.write("relu3.py", RELU3)
        r = run(src, "-o", "-", cwd=self.dir)
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("// Generated by ks-translate from relu3.py."))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "-")))

    def test_usage_errors(self):
        src = self.write("relu3.py", RELU3)
        for args, message in (((src,), "no output file"), ((), "no input file"),
                              ((src, "-o", "-", "--frobnicate"), "unknown option '--frobnicate'"),
                              ((src, "-o", "-", "-x"), "unknown option '-x'"),
                              ((src, src, "-o", "-"), "more than one input file"),
                              ((src, "-o"), "-o needs a file name"),
                              ((src, "-o", "-", "--namespace"), "--namespace needs a name"),
                              ((src, "-o", "-", "--lang"), "--lang needs")):
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 2)
                self.assertIn(message, r.stderr)
                self.assertIn("usage: ks-translate", r.stderr)
                self.assertEqual(r.stdout, "")

    def test_unreadable_input_and_unwritable_output(self):
        r = run(os.path.join(self.dir, "missing.py"), "-o", "-")
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.py: error: cannot read the file", r.stderr)
        sub = os.path.join(self.dir, "dir.py")
        os.mkdir(sub)
        r = run(sub, "-o", "-")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read the file", r.stderr)
        src = self.write("relu3.py", RELU3)
        out = os.path.join(self.dir, "no", "such", "dir", "relu3.hpp")
        r = run(src, "-o", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("error: cannot write the file", r.stderr)
        empty = self.write("empty.py", "")
        r = run(empty, "-o", "-")
        self.assertEqual(r.returncode, 1)
        self.assertIn("empty.py:1:1: error: no function definitions found", r.stderr)

    def test_help_version_and_dump_ast(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for option in ("-o, --output", "--namespace", "--lang", "--dump-ast", "--help", "--version"):
            self.assertIn(option, r.stdout)
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, f"ks-translate {VERSION}\n")
        src = self.write("relu3.py", RELU3)
        r = run(src, "--dump-ast")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(function relu3 (x)", r.stdout)
        self.assertIn("(if (compare x < 0.0)", r.stdout)
        out = os.path.join(self.dir, "ast.txt")
        self.assertEqual(run(src, "--dump-ast", "-o", out).returncode, 0)
        self.assertIn("(return 0.0)", read(out))
        # F# functions in modules are named by their path, in the tree and in C++.
        fs = self.write("stats.fs", "namespace Stats\nmodule Logistic =\n    let standard x = 1.0 / (1.0 + exp -x)\n"
                                    "module Losses =\n    let bce (y: float) x = -y * log (Logistic.standard x)\n")
        r = run(fs, "--dump-ast")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(function Logistic.standard (x)  ; line 3", r.stdout)
        self.assertIn("(call Logistic.standard x)", r.stdout)
        r = run(fs, "-o", "-", "--namespace", "a::b")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("namespace a::b {\n\nnamespace Logistic {\n", r.stdout)
        self.assertIn("::a::b::Logistic::standard(x)", r.stdout)


if __name__ == "__main__":
    TOOL, VERSION = os.path.abspath(sys.argv[1]), sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=1)
