#include "names.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>

namespace kst {
namespace {

// The vocabulary. A formula is Python over the params; it may call the functions
// above it and name the constants inf, pi and e. Where PyTorch's kink convention
// matters (relu'(0) = 0), the formula's comparison is the one autograd uses.
constexpr library_function vocabulary[] = {
    {"exp", "x", "exp", {}},           {"log", "x", "log", {}},       {"log1p", "x", "log1p", {}},
    {"expm1", "x", "expm1", {}},       {"sqrt", "x", "sqrt", {}},     {"cbrt", "x", "cbrt", {}},
    {"sin", "x", "sin", {}},           {"cos", "x", "cos", {}},       {"tan", "x", "tan", {}},
    {"asin", "x", "asin", {}},         {"acos", "x", "acos", {}},     {"atan", "x", "atan", {}},
    {"sinh", "x", "sinh", {}},         {"cosh", "x", "cosh", {}},     {"tanh", "x", "tanh", {}},
    {"erf", "x", "erf", {}},           {"erfc", "x", "erfc", {}},     {"sigmoid", "x", "sigmoid", {}},
    {"abs", "x", "abs", {}},           {"sign", "x", "sign", {}},     {"floor", "x", "floor", {}},
    {"ceil", "x", "ceil", {}},         {"trunc", "x", "trunc", {}},
    // Python, torch, numpy, Julia and .NET all round half to even.
    {"round", "x", "nearbyint", {}},
    {"atan2", "y, x", "atan2", {}},    {"hypot", "x, y", "hypot", {}},
    {"clamp", "x, min=-inf, max=inf", "clamp", {}},
    {"max", "a, b", "max", {}, emit_kind::fold},
    {"min", "a, b", "min", {}, emit_kind::fold},
    {"pow", "x, y", {}, {}, emit_kind::power},
    {"where", "condition, x, y", {}, {}, emit_kind::select},
    {"softplus", "x, beta=1.0, threshold=20.0", "softplus", "x if x * beta > threshold else log1p(exp(beta * x)) / beta"},
    {"log_sigmoid", "x", "log_sigmoid", {}},
    {"identity", "x", {}, "x"},
    {"square", "x", {}, "x * x"},
    {"reciprocal", "x", {}, "1.0 / x"},
    {"rsqrt", "x", {}, "1.0 / sqrt(x)"},
    {"log2", "x", "log2", {}},
    {"log10", "x", "log10", {}},
    {"log_base", "x, base", {}, "log(x) / log(base)"},
    {"exp2", "x", "exp2", {}},
    {"asinh", "x", "asinh", {}},       {"acosh", "x", "acosh", {}},   {"atanh", "x", "atanh", {}},
    {"copysign", "x, y", "copysign", {}},
    // PyTorch's activations and functions (knossos/activations.hpp), with its kink
    // conventions; parameters with defaults are passed, filled in.
    {"relu", "x", "relu", {}},
    {"relu6", "x", "relu6", {}},
    {"hardtanh", "x, min_val=-1.0, max_val=1.0", "hardtanh", {}},
    {"leaky_relu", "x, negative_slope=0.01", "leaky_relu", {}},
    {"elu", "x, alpha=1.0", "elu", {}},
    {"celu", "x, alpha=1.0", "celu", {}},
    {"selu", "x", "selu", {}},
    {"gelu", "x", "gelu", {}},
    {"gelu_tanh", "x", "gelu_tanh", {}},
    {"silu", "x", "silu", {}},
    {"mish", "x", "mish", {}},
    {"softsign", "x", "softsign", {}},
    {"tanhshrink", "x", "tanhshrink", {}},
    {"hardsigmoid", "x", "hardsigmoid", {}},
    {"hardswish", "x", "hardswish", {}},
    {"softshrink", "x, lambd=0.5", "softshrink", {}},
    {"hardshrink", "x, lambd=0.5", "hardshrink", {}},
    {"xlogy", "x, y", "xlogy", {}},
    {"logaddexp", "x, y", "logaddexp", {}},
    {"logit", "x", "logit", {}},
    {"sinc", "x", "sinc", {}},
    {"lerp", "x, y, weight", "lerp", {}},
    {"clamp_min", "x, min", "clamp_min", {}},
    {"clamp_max", "x, max", "clamp_max", {}},
};

using ft = fsharp_type;

// Spellings, as data: every prefix (comma-separated; an empty one is the bare name)
// before every name (space-separated; `spelled:function` where the vocabulary name
// differs), meaning that function when called with `arity` arguments (-1: any).
struct spellings {
  std::string_view prefixes, names;
  int arity;
  std::string_view order;  // the positional order, where it differs from the vocabulary's
  ft type;
};

constexpr spellings row(std::string_view prefixes, std::string_view names, int arity = -1, std::string_view order = {},
                        ft type = ft::floating) {
  return {prefixes, names, arity, order, type};
}

constexpr std::string_view dotnet = "Math.,System.Math.,MathF.,System.MathF.";
constexpr std::string_view nnlib = ",NNlib.,Flux.";

constexpr spellings python_spellings[] = {
    row("math.,torch.,numpy.", "exp log1p expm1 sqrt sin cos tan sinh cosh tanh floor ceil asin acos atan atan2 hypot "
                               "erf erfc trunc cbrt log2 log10 copysign exp2 pow"),
    row("math.", "log", 1),
    row("math.", "log:log_base", 2),
    row("torch.", "log abs sign sigmoid square reciprocal rsqrt relu clamp clip:clamp where round selu celu xlogy "
                  "logaddexp logit sinc lerp clamp_min clamp_max asinh acosh atanh arcsinh:asinh arccosh:acosh "
                  "arctanh:atanh"),
    row("math.", "asinh acosh atanh"),
    row("numpy.", "arcsinh:asinh arccosh:acosh arctanh:atanh logaddexp sinc"),
    row("torch.", "max maximum:max min minimum:min", 2),
    row("numpy.", "log abs fabs:abs absolute:abs sign square reciprocal where round rint:round power:pow clip:clamp"),
    row("numpy.", "maximum:max minimum:min", 2),
    row("numpy.,torch.", "arcsin:asin arccos:acos arctan:atan arctan2:atan2"),
    row("", "abs pow round max min float:identity"),
    row("math.", "fabs:abs"),
    row("torch.special.", "erf erfc expm1 log1p exp2 expit:sigmoid xlogy logit sinc"),
    row("torch.nn.functional.", "relu relu6 leaky_relu elu celu selu gelu silu mish softplus softsign tanhshrink hardtanh "
                                "hardsigmoid hardswish logsigmoid:log_sigmoid tanh sigmoid softshrink hardshrink")};

// Julia's Base math, and NNlib/Flux activations (gelu is NNlib's tanh approximation).
constexpr spellings julia_spellings[] = {
    row("", "exp log1p expm1 sqrt sin cos tan sinh cosh tanh floor ceil asin acos hypot erf erfc cbrt log2 log10 exp2 "
            "asinh acosh atanh abs sign round max min clamp copysign trunc float:identity Float64:identity "
            "Float32:identity abs2:square inv:reciprocal ifelse:where gelu_tanh gelu_erf:gelu logsigmoid:log_sigmoid tanh_fast:tanh sigmoid_fast:sigmoid"),
    row("", "atan log", 1),
    row("", "atan:atan2", 2),
    row("", "log:log_base", 2, "base, x"),
    row(nnlib, "relu relu6 elu celu selu softplus softsign tanhshrink hardtanh hardsigmoid hardswish mish sigmoid "
               "leakyrelu:leaky_relu gelu:gelu_tanh swish:silu")};

// F# core operators (lower case), System.Math (capitalised) and DiffSharp's dsharp,
// with the types F# gives them.
constexpr spellings fsharp_spellings[] = {
    row("", "exp log1p expm1 sqrt sin cos tan sinh cosh tanh floor ceil asin acos atan atan2 log log10 round truncate:trunc"),
    row("", "abs", -1, {}, ft::numeric),
    row("", "max min", 2, {}, ft::numeric),
    row("", "sign", -1, {}, ft::to_int),
    row("", "pown:pow", 2, {}, ft::pown),
    row("", "float:identity double:identity", -1, {}, ft::to_float),
    row("", "float32:identity single:identity", -1, {}, ft::to_float32),
    row(dotnet, "Exp:exp Sqrt:sqrt Cbrt:cbrt Sin:sin Cos:cos Tan:tan Asin:asin Acos:acos Atan:atan Sinh:sinh Cosh:cosh "
                "Tanh:tanh Floor:floor Ceiling:ceil Truncate:trunc Round:round Log10:log10 Log2:log2 Atan2:atan2 Pow:pow "
                "CopySign:copysign"),
    row(dotnet, "Log:log", 1),
    row(dotnet, "Log:log_base", 2),
    row(dotnet, "Abs:abs", -1, {}, ft::numeric),
    row(dotnet, "Max:max Min:min", 2, {}, ft::numeric),
    row(dotnet, "Clamp:clamp", 3, {}, ft::numeric),
    row(dotnet, "Sign:sign", -1, {}, ft::to_int),
    row("dsharp.", "exp log sqrt sin cos tan tanh abs sigmoid softplus relu log1p expm1 floor ceil round "
                   "leakyRelu:leaky_relu")};

// The parts of a separated list, empty ones included.
std::vector<std::string_view> split(std::string_view list, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    std::size_t end = list.find(separator, start);
    out.push_back(list.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

struct table {
  std::vector<alias> rows;
  std::deque<std::string> storage;  // the spellings built from a prefix and a name
  explicit table(std::span<spellings const> data) {
    for (spellings const& d : data)
      for (std::string_view prefix : split(d.prefixes, ','))
        for (std::string_view name : split(d.names, ' ')) {
          std::size_t colon = name.find(':');
          std::string_view function = colon == std::string_view::npos ? name : name.substr(colon + 1);
          std::string_view spelled = storage.emplace_back(std::string(prefix) + std::string(name.substr(0, colon)));
          rows.push_back({spelled, function, d.arity, d.order, d.type});
        }
    std::stable_sort(rows.begin(), rows.end(), [](alias const& a, alias const& b) { return a.spelling < b.spelling; });
  }
};

table const& table_for(language lang) {
  static table const python(python_spellings);
  static table const julia(julia_spellings);
  static table const fsharp(fsharp_spellings);
  switch (lang) {
    case language::python: return python;
    case language::julia: return julia;
    case language::fsharp: break;
  }
  return fsharp;
}

}  // namespace

library_function const* find_library_function(std::string_view name) {
  for (library_function const& f : vocabulary)
    if (f.name == name) return &f;
  return nullptr;
}

std::span<library_function const> library_functions() { return vocabulary; }

alias const* find_alias(language lang, std::string_view spelling, int arity) {
  auto const& rows = table_for(lang).rows;
  auto [lo, hi] = std::equal_range(rows.begin(), rows.end(), alias{spelling, {}, -1, {}, fsharp_type::floating},
                                   [](alias const& a, alias const& b) { return a.spelling < b.spelling; });
  for (auto it = lo; it != hi; ++it)
    if (it->arity < 0 || it->arity == arity) return &*it;
  return lo == hi ? nullptr : &*lo;  // the arity is checked where the call is bound
}

std::span<alias const> aliases(language lang) { return table_for(lang).rows; }

std::optional<std::string> find_constant(std::optional<language> lang, std::string_view name) {
  static constexpr std::string_view pi = "3.141592653589793", e = "2.718281828459045", tau = "6.283185307179586",
                                    inf = "std::numeric_limits<double>::infinity()";
  static const std::map<std::string, std::string_view, std::less<>> canonical{{"pi", pi}, {"e", e}, {"inf", inf}};
  static const std::map<std::string, std::string_view, std::less<>> python{
      {"math.pi", pi},   {"math.e", e},      {"math.tau", tau}, {"math.inf", inf}, {"torch.pi", pi},
      {"torch.e", e},    {"torch.inf", inf}, {"numpy.pi", pi},  {"numpy.e", e},    {"numpy.inf", inf}};
  static const std::map<std::string, std::string_view, std::less<>> julia{
      {"pi", pi}, {"\xcf\x80", pi}, {"\xe2\x84\xaf", e}, {"Inf", inf}, {"Inf64", inf}};
  static const std::map<std::string, std::string_view, std::less<>> fsharp{
      {"Math.PI", pi},  {"Math.E", e},        {"System.Math.PI", pi},  {"System.Math.E", e},
      {"Math.Tau", tau}, {"System.Math.Tau", tau}, {"infinity", inf}, {"System.Double.PositiveInfinity", inf},
      {"Double.PositiveInfinity", inf}};
  auto const& t = !lang ? canonical : *lang == language::python ? python : *lang == language::julia ? julia : fsharp;
  if (auto it = t.find(name); it != t.end()) return std::string(it->second);
  return std::nullopt;
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
  return std::none_of(name.begin(), name.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
}


}  // namespace kst
