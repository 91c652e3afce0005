// Writes a header of translated functions that call every function of the
// translator's vocabulary (names.cpp) under one of its Python or Julia spellings:
// with its required arguments, and, where the vocabulary has both a ks:: function
// and a formula, once more with every argument (which takes the formula). The
// headers are then compiled and run by translate-names, so every ks:: name the
// tables can emit is checked against the library. Usage: translate-names-gen DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "names.hpp"
#include "translate.hpp"

namespace {

int count_params(std::string_view params, bool required_only) {
  int n = 0;
  for (std::size_t start = 0; start < params.size();) {
    std::size_t end = std::min(params.find(',', start), params.size());
    if (!required_only || params.substr(start, end - start).find('=') == std::string_view::npos) ++n;
    start = end + 1;
  }
  return n;
}

// A call of `spelling` with n arguments, in the syntax of `lang`.
std::string call(std::string_view spelling, kst::library_function const& f, int n) {
  static constexpr char const* names[] = {"a", "b", "c"};
  std::string args;
  for (int i = 0; i < n; ++i) {
    if (i) args += ", ";
    // where(condition, x, y): the first argument is a comparison
    args += i == 0 && f.how == kst::emit_kind::select ? std::string("a > 0.5") : std::string(names[i]);
  }
  return std::string(spelling) + "(" + args + ")";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: translate-names-gen DIR\n";
    return 2;
  }
  std::string python = "import math, torch, numpy\n", julia;
  int missing = 0;
  for (kst::library_function const& f : kst::library_functions()) {
    kst::language lang = kst::language::python;
    kst::alias const* spelled = nullptr;
    for (kst::language l : {kst::language::python, kst::language::julia}) {
      for (kst::alias const& a : kst::aliases(l)) {
        if (a.function == f.name && a.order.empty() && (a.arity < 0 || a.arity == count_params(f.params, true))) {
          spelled = &a;
          lang = l;
          break;
        }
      }
      if (spelled) break;
    }
    if (!spelled) {
      std::cerr << "translate-names-gen: '" << f.name << "' has no Python or Julia spelling\n";
      ++missing;
      continue;
    }
    int required = f.how == kst::emit_kind::fold ? 3 : count_params(f.params, true);
    std::vector<int> arities{required};
    if (!f.ks.empty() && !f.formula.empty()) arities.push_back(count_params(f.params, false));
    for (int n : arities) {
      std::string name = "use_" + std::string(f.name) + "_" + std::to_string(n);
      std::string params = n == 1 ? "a" : n == 2 ? "a, b" : "a, b, c";
      if (lang == kst::language::python)
        python += "def " + name + "(" + params + "):\n    return " + call(spelled->spelling, f, n) + "\n";
      else
        julia += name + "(" + params + ") = " + call(spelled->spelling, f, n) + "\n";
    }
  }
  if (missing) return 1;
  std::filesystem::path dir = argv[1];
  for (auto [lang, source, file] : {std::tuple{kst::language::python, python, "names_python"},
                                    std::tuple{kst::language::julia, julia, "names_julia"}}) {
    kst::translate_options options;
    options.lang = lang;
    options.source_name = std::string(file) + (lang == kst::language::python ? ".py" : ".jl");
    try {
      std::ofstream(dir / (std::string(file) + ".hpp")) << kst::translate(source, options);
    } catch (kst::error const& e) {
      std::cerr << kst::format_error(options.source_name, source, e) << source;
      return 1;
    }
  }
  return 0;
}
