// The names a translated function may call, per source language, and the C++
// identifiers that must not be emitted as they are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kst {

enum class language { python, julia, fsharp };

/// How a source-language math function becomes knossos code.
enum class lowering {
  ks_unary,     // ks::NAME(a)
  ks_binary,    // ks::NAME(a, b)
  ks_clamp,     // ks::clamp(x, lo, hi)
  fold_max,     // ks::max(a, ks::max(b, c)) for two or more arguments
  fold_min,
  pow,          // a ** b with the integer-exponent rule
  select,       // where(c, a, b)
  identity,     // float(x), Float64(x)
  relu,         // select(x > 0, x, 0): relu'(0) = 0 as in PyTorch
  silu,         // x * sigmoid(x)
  gelu,         // x * (1 + erf(x / sqrt 2)) / 2
  elu,          // select(x > 0, x, expm1(x))
  square,       // x * x
  reciprocal,   // 1 / x
  rsqrt,        // 1 / sqrt(x)
  log_base,     // log(x) / log(base): log(x, base) in Python, log(base, x) in Julia
  log2,         // log(x) / ln 2
  log10,        // log(x) / ln 10
  copysign,     // abs(a) * select(b < 0, -1, 1)
};

struct math_function {
  std::string_view ks_name;  // knossos function, where the lowering names one
  lowering how;
  int min_args;
  int max_args;  // -1: any number
  bool base_first = false;  // log_base: Julia's log(b, x)
};

/// The math function `name` (canonical dotted spelling from the front end) means in
/// `lang`, or nothing.
std::optional<math_function> find_math_function(language lang, std::string_view name);

/// The C++ spelling of a named constant (`math.pi`, `π`, `Math.PI`), or nothing.
std::optional<std::string> find_constant(language lang, std::string_view name);

/// Every knossos function the table can emit (a test checks each one exists).
std::vector<std::string_view> emitted_ks_functions();

/// True when `name` may not appear as an identifier in the emitted C++: keywords,
/// reserved identifiers, names of macros from the standard headers we include, and
/// the namespaces the emitted code names itself.
bool is_unsafe_identifier(std::string_view name);

}  // namespace kst
