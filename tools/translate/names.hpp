// What a call or a constant means: one vocabulary of functions (each emitted as a
// ks:: call or as a formula over other vocabulary functions), and per language the
// spellings people write for them (math.exp, torch.exp, F.relu, NNlib's leakyrelu,
// System.Math.Exp). All library knowledge of the translator is in these tables.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kst {

enum class language { python, julia, fsharp };

/// How a vocabulary function becomes C++.
enum class emit_kind {
  call,     // ks::NAME(params...), or the formula (see library_function)
  fold,     // ks::NAME folded over two or more arguments: max(a, b, c)
  power,    // a ** b, with the integer-exponent rule of the emitter
  select,   // where(condition, a, b)
};

/// A function of the vocabulary, whatever the language.
struct library_function {
  std::string_view name;     // canonical name, as formulas call it: "leaky_relu"
  std::string_view params;   // "x, negative_slope=0.01": PyTorch's names, and defaults
  std::string_view ks;       // ks::ks(params...) where the library has it
  // The body, in Python syntax over the params and the other vocabulary names, for
  // functions the library lacks. With both: ks::ks(the params before the first
  // default) when a call leaves every default alone, the formula otherwise.
  std::string_view formula;
  emit_kind how = emit_kind::call;
};

/// The type of a function in F#, which checks int against float (fsharp_types.cpp).
enum class fsharp_type {
  floating,  // float -> float (or float32 -> float32): exp, sqrt, Math.Exp
  numeric,   // 'a -> 'a for int or float: abs, max, min
  to_int,    // numeric -> int: sign
  to_float,  // numeric -> float: float, double
  to_float32,
  pown,      // float -> int -> float
};

/// One spelling of a vocabulary function in a source language.
struct alias {
  std::string_view spelling;  // "torch.nn.functional.leaky_relu", "Math.Exp", "log"
  std::string_view function;  // the vocabulary name
  int arity = -1;             // this spelling means `function` only with this many arguments
  std::string_view order;     // its positional order, if not the vocabulary's: "base, x"
  fsharp_type type = fsharp_type::floating;
};

/// The vocabulary function called `name`, or nothing.
library_function const* find_library_function(std::string_view name);
/// Every vocabulary function (a test compiles a use of each).
std::span<library_function const> library_functions();

/// What `spelling` called with `arity` arguments means in `lang`, or nothing.
alias const* find_alias(language lang, std::string_view spelling, int arity);
/// Every spelling of `lang` (a test translates a call of each).
std::span<alias const> aliases(language lang);

/// The C++ spelling of a named constant (math.pi, π, Math.PI; "pi", "inf" in
/// formulas), or nothing.
std::optional<std::string> find_constant(std::optional<language> lang, std::string_view name);

/// True when `name` may not appear as an identifier in the emitted C++: keywords,
/// reserved identifiers, names of macros from the standard headers we include, and
/// the namespaces the emitted code names itself.
bool is_unsafe_identifier(std::string_view name);

}  // namespace kst
