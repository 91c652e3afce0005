// ks-translate as a library: source text in, a C++ header out. Docs: docs/translate.md
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ast.hpp"
#include "names.hpp"

namespace kst {

struct translate_options {
  language lang = language::python;
  std::string source_name;     // shown in the header and in comments: "relu3.py"
  std::string namespace_name;  // empty: derived from the file name
};

/// The front end of `lang`: source text to AST, checked as far as the language's own
/// rules go (F# types). Throws kst::error at the first problem.
module parse(std::string_view source, language lang);

/// Parses, checks and emits: the whole header. Throws kst::error at the first problem.
std::string translate(std::string_view source, translate_options const& options);

/// Checks a parsed module and emits the header (the part after the front end).
std::string emit_module(module const& m, translate_options const& options);

/// `file:line:col: error: message`, the source line and a caret under the column.
std::string format_error(std::string_view source_name, std::string_view source, error const& e);

/// The language a file name's extension says (.py, .jl, .fs, .fsx), or nothing.
std::optional<language> language_from_path(std::string_view path);

/// The language named on the command line (python, julia, fsharp), or nothing.
std::optional<language> language_from_name(std::string_view name);

/// A valid C++ namespace name made from a file name: "my-gelu.py" -> "my_gelu".
std::string namespace_from_path(std::string_view path);

}  // namespace kst
