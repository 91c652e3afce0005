"""From a Python function to what ks-translate sees and back: imports, helpers,
translator errors located in the user's file, the cache key and the cache itself.
Nothing here compiles a kernel (they translate, or reuse the suite's builds)."""

import importlib.util
import os
import sys
import textwrap

import pytest
import torch

import knossos
from knossos import _build, _source

HERE = os.path.dirname(os.path.abspath(__file__))


def load_module(tmp_path, name, text):
    """Imports `text` as module `name` from a real file (knossos.vmap reads sources)."""
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, str(path)


def translated(fn):
    return _build.translate(_source.collect(fn))


def test_imports_are_reproduced_for_the_translator(tmp_path):
    m, _ = load_module(tmp_path, "uses_imports", """
        import math
        import numpy as np
        import torch
        import torch.nn.functional as F
        from math import erf as E
        from torch import sigmoid

        def f(x, y):
            return np.exp(x) + E(y) + F.gelu(x) + sigmoid(y) + math.pi * torch.tanh(x)
    """)
    src = _source.collect(m.f)
    lines = src.text.splitlines()
    for expected in ["import numpy as np", "from math import erf as E", "import torch.nn.functional as F",
                     "from torch import sigmoid", "import math", "import torch"]:
        assert expected in lines
    header = translated(m.f)
    for call in ["ks::exp(", "ks::erf(", "ks::sigmoid(", "ks::tanh("]:
        assert call in header


def test_helpers_are_translated_first_even_under_another_name(tmp_path):
    load_module(tmp_path, "helper_lib", """
        def square(t):
            return t * t
    """)
    m, _ = load_module(tmp_path, "calls_helper", """
        from helper_lib import square as sq

        def inner(x):
            return sq(x) + 1.0

        def outer(x):
            return inner(x) * sq(x)
    """)
    src = _source.collect(m.outer)
    assert [c.filename.endswith(n) for c, n in zip(src.chunks, ["helper_lib.py", "calls_helper.py",
                                                                 "calls_helper.py"])] == [True] * 3
    assert "def sq(t):" in src.text  # the helper takes the name it is called by
    header = translated(m.outer)
    assert header.index("auto sq =") < header.index("auto inner =") < header.index("auto outer =")


def test_two_helpers_with_one_name_are_refused(tmp_path):
    load_module(tmp_path, "lib_a", """
        def h(t):
            return t

        def g(x):
            return h(x)
    """)
    m, _ = load_module(tmp_path, "clash", """
        from lib_a import g

        def h(t):
            return -t

        def f(x):
            return g(x) + h(x)
    """)
    with pytest.raises(TypeError, match="two different functions are called 'h'.*rename one"):
        _source.collect(m.f)


def test_translator_error_has_the_users_file_and_line(tmp_path):
    with pytest.raises(knossos.TranslateError) as info:
        load_module(tmp_path, "user_activation", """
            import knossos


            class Holder:
                @knossos.vmap
                def looped(x):
                    y = x
                    for i in range(3):
                        y = y * x
                    return y
        """)
    e = info.value
    assert isinstance(e, SyntaxError)
    assert e.filename == str(tmp_path / "user_activation.py")
    assert (e.lineno, e.offset) == (9, 9)  # `for`, 1-based column, in the indented method
    assert "for i in range(3)" in e.text
    assert "loop" in e.msg


def test_translator_error_in_a_helper_points_into_the_helper(tmp_path):
    load_module(tmp_path, "bad_helper", """
        def helper(t):
            return t if t > 0 else [t]
    """)
    m, _ = load_module(tmp_path, "good_caller", """
        from bad_helper import helper

        def f(x):
            return helper(x) * 2.0
    """)
    with pytest.raises(knossos.TranslateError) as info:
        knossos.vmap(m.f)
    assert info.value.filename == str(tmp_path / "bad_helper.py")
    assert info.value.lineno == 3


def test_module_level_numbers_are_passed_and_other_values_named_in_the_error(tmp_path):
    m, _ = load_module(tmp_path, "uses_constants", """
        ALPHA = 1.6732
        TABLE = [1.0, 2.0]

        def selu_like(x):
            return ALPHA * x if x < 0 else x

        def uses_table(x):
            return TABLE * x
    """)
    assert "ALPHA = 1.6732\n" in _source.collect(m.selu_like).text  # by value, above the function
    with pytest.raises(knossos.TranslateError, match="TABLE") as info:
        knossos.vmap(m.uses_table)
    assert info.value.lineno == 9


def test_functions_without_a_source_file_or_arguments(tmp_path):
    with pytest.raises(TypeError, match="lambdas are not supported"):
        knossos.vmap(lambda x: x)
    namespace = {}
    exec("def nofile(x):\n    return x\n", namespace)
    with pytest.raises(TypeError, match="cannot read the source"):
        knossos.vmap(namespace["nofile"])
    m, _ = load_module(tmp_path, "no_args", "def constant():\n    return 1.0\n")
    with pytest.raises(TypeError, match="takes no arguments"):
        knossos.vmap(m.constant)
    with pytest.raises(TypeError, match="expected a Python function"):
        knossos.vmap(torch.relu)


def test_cache_key_follows_the_code_not_the_spelling(compiled, tmp_path):
    import scalar_fns

    m, _ = load_module(tmp_path, "relu3_respelled", '''
        # relu3 again, with other comments, a docstring and another layout
        def relu3(x: float) -> float:
            """The seed's activation."""
            if x < 0.0:
                return 0.0   # flat
            elif x < 1.0:
                return 1 / 3 * x**3
            else:
                return x - 2 / 3
    ''')
    respelled = knossos.vmap(m.relu3)
    assert respelled.op_name == compiled["relu3"].op_name  # the same operators and kernels

    header = translated(scalar_fns.relu3)
    flags = _build.DEFAULT_FLAGS
    assert _build.function_key(header, flags) == _build.function_key("// from another file:3\n" + header, flags)
    assert _build.function_key(header, flags) != _build.function_key(header, ("-O2", "-std=c++20"))
    assert _build.function_key(header, flags) != _build.function_key(header.replace("2.0 / 3", "0.5"), flags)


def test_clear_cache_and_the_command_line(tmp_path, monkeypatch, capsys):
    from knossos.__main__ import main

    cache = tmp_path / "cache"
    monkeypatch.setenv("KNOSSOS_CACHE", str(cache))
    (cache / "fn" / "abc").mkdir(parents=True)
    (cache / "fn" / "abc" / "function.json").write_text("{}")
    (cache / "fn" / "unfinished").mkdir()
    assert main(["cache"]) == 0
    assert f"{cache}: 1 function(s)" in capsys.readouterr().out
    assert main(["clear-cache"]) == 0
    assert not cache.exists()
    assert knossos.cache_dir() == str(cache)  # recreated on use
    knossos.clear_cache()
    assert not cache.exists()


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.delenv("KNOSSOS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert knossos.cache_dir() == str(tmp_path / "xdg" / "knossos")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert knossos.cache_dir() == str(tmp_path / "home" / ".cache" / "knossos")


def test_knossos_translate_env_overrides_the_built_translator(monkeypatch):
    exe = _build.translator()
    monkeypatch.setenv("KNOSSOS_TRANSLATE", exe)
    assert _build.translator() == exe
    monkeypatch.setenv("KNOSSOS_TRANSLATE", "/nonexistent/ks-translate")
    with pytest.raises(knossos.BuildError, match="KNOSSOS_TRANSLATE"):
        _build.translator()


# Python that custom activations are written in, which ks-translate once refused: each
# must translate now (the translator's end-to-end tests check the values against torch).
_ONCE_REFUSED = {
    "leaky_relu": "F.leaky_relu(x, 0.01)",
    "keyword_alpha": "F.elu(x, alpha=0.5)",
    "keyword_beta": "F.softplus(x, beta=2.0)",
    "hardtanh": "F.hardtanh(x)",
    "relu6": "F.relu6(x)",
    "selu": "F.selu(x)",
    "method_call": "x.clamp(-1.0, 1.0)",
    "float_inf": "x if x < 1e30 else float('inf')",
}


@pytest.mark.parametrize("case", sorted(_ONCE_REFUSED))
def test_translates_what_activations_use(tmp_path, case):
    m, _ = load_module(tmp_path, f"gap_{case}", f"""
        import torch.nn.functional as F

        def act(x):
            return {_ONCE_REFUSED[case]}
    """)
    header = translated(m.act)
    assert "inline constexpr auto act" in header
