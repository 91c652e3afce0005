// The three front ends: source text in, AST out. Each throws kst::error at the
// first problem, with the location of the offending token.
#pragma once

#include <string_view>

#include "ast.hpp"

namespace kst {

/// Python 3 (PyTorch / TorchScript style scalar functions). Docs: docs/translate.md
module parse_python(std::string_view source);
/// Julia. Docs: docs/translate.md
module parse_julia(std::string_view source);
/// F#. Docs: docs/translate.md
module parse_fsharp(std::string_view source);
/// Refuses what F#'s types make int arithmetic (or a type error in F# itself).
void check_fsharp_types(module const& m);

}  // namespace kst
