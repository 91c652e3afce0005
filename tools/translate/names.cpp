#include "names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string>

namespace kst {
namespace {

using table = std::map<std::string, math_function, std::less<>>;

math_function unary(std::string_view ks) { return {ks, lowering::ks_unary, 1, 1}; }
math_function binary(std::string_view ks) { return {ks, lowering::ks_binary, 2, 2}; }
math_function special(lowering how, int lo, int hi) { return {{}, how, lo, hi}; }

// Functions every language spells the same way (modulo a prefix).
void add_common(table& t, std::string const& prefix) {
  for (std::string_view f : {"exp", "log1p", "expm1", "sqrt", "cbrt", "sin", "cos", "tan", "asin",
                             "acos", "atan", "sinh", "cosh", "tanh", "erf", "erfc", "floor", "ceil",
                             "trunc"})
    t.emplace(prefix + std::string(f), unary(f));
  t.emplace(prefix + "hypot", binary("hypot"));
  t.emplace(prefix + "log2", special(lowering::log2, 1, 1));
  t.emplace(prefix + "log10", special(lowering::log10, 1, 1));
}

table make_python() {
  table t;
  for (std::string prefix : {"math.", "torch.", "numpy."}) {
    add_common(t, prefix);
    t.emplace(prefix + "atan2", binary("atan2"));
    t.emplace(prefix + "pow", special(lowering::pow, 2, 2));
    t.emplace(prefix + "copysign", special(lowering::copysign, 2, 2));
  }
  // math.log(x[, base]); torch/numpy log take one argument.
  t.emplace("math.log", math_function{"log", lowering::log_base, 1, 2});
  t.emplace("torch.log", unary("log"));
  t.emplace("numpy.log", unary("log"));
  t.emplace("math.fabs", unary("abs"));
  t.emplace("abs", unary("abs"));
  t.emplace("torch.abs", unary("abs"));
  t.emplace("numpy.abs", unary("abs"));
  t.emplace("numpy.fabs", unary("abs"));
  t.emplace("numpy.absolute", unary("abs"));
  t.emplace("numpy.power", special(lowering::pow, 2, 2));
  t.emplace("pow", special(lowering::pow, 2, 2));
  t.emplace("numpy.arcsin", unary("asin"));
  t.emplace("numpy.arccos", unary("acos"));
  t.emplace("numpy.arctan", unary("atan"));
  t.emplace("numpy.arctan2", binary("atan2"));
  t.emplace("torch.arcsin", unary("asin"));
  t.emplace("torch.arccos", unary("acos"));
  t.emplace("torch.arctan", unary("atan"));
  t.emplace("torch.arctan2", binary("atan2"));
  t.emplace("max", special(lowering::fold_max, 2, -1));
  t.emplace("min", special(lowering::fold_min, 2, -1));
  t.emplace("torch.maximum", special(lowering::fold_max, 2, 2));
  t.emplace("torch.minimum", special(lowering::fold_min, 2, 2));
  t.emplace("torch.max", special(lowering::fold_max, 2, 2));
  t.emplace("torch.min", special(lowering::fold_min, 2, 2));
  t.emplace("numpy.maximum", special(lowering::fold_max, 2, 2));
  t.emplace("numpy.minimum", special(lowering::fold_min, 2, 2));
  t.emplace("torch.clamp", math_function{"clamp", lowering::ks_clamp, 3, 3});
  t.emplace("torch.clip", math_function{"clamp", lowering::ks_clamp, 3, 3});
  t.emplace("numpy.clip", math_function{"clamp", lowering::ks_clamp, 3, 3});
  t.emplace("torch.where", special(lowering::select, 3, 3));
  t.emplace("numpy.where", special(lowering::select, 3, 3));
  t.emplace("float", special(lowering::identity, 1, 1));
  // Python, torch and numpy round half to even.
  t.emplace("round", unary("nearbyint"));
  t.emplace("torch.round", unary("nearbyint"));
  t.emplace("numpy.round", unary("nearbyint"));
  t.emplace("numpy.rint", unary("nearbyint"));
  t.emplace("torch.sign", unary("sign"));
  t.emplace("numpy.sign", unary("sign"));
  t.emplace("torch.sigmoid", unary("sigmoid"));
  t.emplace("torch.special.expit", unary("sigmoid"));
  t.emplace("torch.special.erf", unary("erf"));
  t.emplace("torch.special.erfc", unary("erfc"));
  t.emplace("torch.special.expm1", unary("expm1"));
  t.emplace("torch.special.log1p", unary("log1p"));
  t.emplace("torch.square", special(lowering::square, 1, 1));
  t.emplace("numpy.square", special(lowering::square, 1, 1));
  t.emplace("torch.reciprocal", special(lowering::reciprocal, 1, 1));
  t.emplace("numpy.reciprocal", special(lowering::reciprocal, 1, 1));
  t.emplace("torch.rsqrt", special(lowering::rsqrt, 1, 1));
  t.emplace("torch.relu", special(lowering::relu, 1, 1));
  t.emplace("torch.tanh", unary("tanh"));
  std::string const f = "torch.nn.functional.";
  t.emplace(f + "relu", special(lowering::relu, 1, 1));
  t.emplace(f + "silu", special(lowering::silu, 1, 1));
  t.emplace(f + "gelu", special(lowering::gelu, 1, 1));
  t.emplace(f + "elu", special(lowering::elu, 1, 1));
  t.emplace(f + "sigmoid", unary("sigmoid"));
  t.emplace(f + "tanh", unary("tanh"));
  t.emplace(f + "softplus", unary("softplus"));
  t.emplace(f + "logsigmoid", unary("log_sigmoid"));
  return t;
}

table make_julia() {
  table t;
  add_common(t, "");
  t.emplace("log", math_function{"log", lowering::log_base, 1, 2, true});
  t.emplace("abs", unary("abs"));
  t.emplace("sign", unary("sign"));
  // Julia's round defaults to RoundNearest: ties to even.
  t.emplace("round", unary("nearbyint"));
  t.emplace("atan", math_function{"atan", lowering::ks_unary, 1, 2});  // atan(y, x) below
  t.emplace("max", special(lowering::fold_max, 2, -1));
  t.emplace("min", special(lowering::fold_min, 2, -1));
  t.emplace("clamp", math_function{"clamp", lowering::ks_clamp, 3, 3});
  t.emplace("ifelse", special(lowering::select, 3, 3));
  t.emplace("float", special(lowering::identity, 1, 1));
  t.emplace("Float64", special(lowering::identity, 1, 1));
  t.emplace("Float32", special(lowering::identity, 1, 1));
  t.emplace("abs2", special(lowering::square, 1, 1));
  t.emplace("inv", special(lowering::reciprocal, 1, 1));
  t.emplace("copysign", special(lowering::copysign, 2, 2));
  return t;
}

table make_fsharp() {
  table t;
  // F# core operators (lower case) and System.Math (capitalised).
  add_common(t, "");
  t.erase("erf");
  t.erase("erfc");
  t.erase("cbrt");
  t.erase("trunc");
  t.erase("hypot");
  t.erase("log2");
  t.emplace("log", unary("log"));
  t.emplace("abs", unary("abs"));
  t.emplace("sign", unary("sign"));
  t.emplace("round", unary("nearbyint"));  // .NET rounds half to even
  t.emplace("truncate", unary("trunc"));
  t.emplace("atan2", binary("atan2"));
  t.emplace("max", special(lowering::fold_max, 2, 2));
  t.emplace("min", special(lowering::fold_min, 2, 2));
  t.emplace("pown", special(lowering::pow, 2, 2));
  t.emplace("float", special(lowering::identity, 1, 1));
  t.emplace("double", special(lowering::identity, 1, 1));
  t.emplace("float32", special(lowering::identity, 1, 1));
  t.emplace("single", special(lowering::identity, 1, 1));
  for (std::string prefix : {"Math.", "System.Math.", "MathF.", "System.MathF."}) {
    for (auto [cs, ks] : std::array<std::pair<std::string_view, std::string_view>, 18>{{
             {"Exp", "exp"}, {"Sqrt", "sqrt"}, {"Cbrt", "cbrt"}, {"Sin", "sin"}, {"Cos", "cos"},
             {"Tan", "tan"}, {"Asin", "asin"}, {"Acos", "acos"}, {"Atan", "atan"}, {"Sinh", "sinh"},
             {"Cosh", "cosh"}, {"Tanh", "tanh"}, {"Abs", "abs"}, {"Floor", "floor"},
             {"Ceiling", "ceil"}, {"Truncate", "trunc"}, {"Round", "nearbyint"}, {"Sign", "sign"}}})
      t.emplace(prefix + std::string(cs), unary(ks));
    t.emplace(prefix + "Log", math_function{"log", lowering::log_base, 1, 2});
    t.emplace(prefix + "Log10", special(lowering::log10, 1, 1));
    t.emplace(prefix + "Log2", special(lowering::log2, 1, 1));
    t.emplace(prefix + "Atan2", binary("atan2"));
    t.emplace(prefix + "Pow", special(lowering::pow, 2, 2));
    t.emplace(prefix + "Max", special(lowering::fold_max, 2, 2));
    t.emplace(prefix + "Min", special(lowering::fold_min, 2, 2));
    t.emplace(prefix + "Clamp", math_function{"clamp", lowering::ks_clamp, 3, 3});
    t.emplace(prefix + "CopySign", special(lowering::copysign, 2, 2));
  }
  return t;
}

table const& table_for(language lang) {
  static table const python = make_python();
  static table const julia = make_julia();
  static table const fsharp = make_fsharp();
  switch (lang) {
    case language::python: return python;
    case language::julia: return julia;
    case language::fsharp: break;
  }
  return fsharp;
}

}  // namespace

std::optional<math_function> find_math_function(language lang, std::string_view name) {
  auto const& t = table_for(lang);
  if (auto it = t.find(name); it != t.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> find_constant(language lang, std::string_view name) {
  static constexpr std::string_view pi = "3.141592653589793";
  static constexpr std::string_view e = "2.718281828459045";
  static constexpr std::string_view tau = "6.283185307179586";
  static constexpr std::string_view inf = "std::numeric_limits<double>::infinity()";
  static const std::map<std::string, std::string_view, std::less<>> python{
      {"math.pi", pi},   {"math.e", e},    {"math.tau", tau},  {"math.inf", inf}, {"torch.pi", pi},
      {"torch.e", e},    {"torch.inf", inf}, {"numpy.pi", pi}, {"numpy.e", e},    {"numpy.inf", inf}};
  static const std::map<std::string, std::string_view, std::less<>> julia{
      {"pi", pi}, {"\xcf\x80", pi}, {"\xe2\x84\xaf", e}, {"Inf", inf}, {"Inf64", inf}};
  static const std::map<std::string, std::string_view, std::less<>> fsharp{
      {"Math.PI", pi},        {"Math.E", e},        {"System.Math.PI", pi}, {"System.Math.E", e},
      {"Math.Tau", tau},      {"System.Math.Tau", tau}, {"infinity", inf},
      {"System.Double.PositiveInfinity", inf}, {"Double.PositiveInfinity", inf}};
  auto const& t = lang == language::python ? python : lang == language::julia ? julia : fsharp;
  if (auto it = t.find(name); it != t.end()) return std::string(it->second);
  return std::nullopt;
}

std::vector<std::string_view> emitted_ks_functions() {
  std::vector<std::string_view> out = {"select", "max", "min", "clamp", "pow", "sigmoid",
                                       "erf", "expm1", "log", "sqrt", "abs", "sign", "floor",
                                       "trunc", "nearbyint"};
  for (language lang : {language::python, language::julia, language::fsharp})
    for (auto const& [name, f] : table_for(lang))
      if (!f.ks_name.empty()) out.push_back(f.ks_name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_unsafe_identifier(std::string_view name) {
  static constexpr std::string_view words[] = {
      // C++20 keywords and alternative tokens
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "final", "override",
      "import", "module",
      // namespaces the emitted code names, and lower-case macros of the C library
      "ks", "std", "xsimd", "Eigen", "boost", "assert", "errno"};
  if (std::find(std::begin(words), std::end(words), name) != std::end(words)) return true;
  if (name.empty() || name.front() == '_' || name.find("__") != std::string_view::npos) return true;
  // Upper-case names are the macro namespace (NAN, INFINITY, M_PI, EOF, KS_...).
  bool has_lower = std::any_of(name.begin(), name.end(),
                               [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  return !has_lower;
}

}  // namespace kst
