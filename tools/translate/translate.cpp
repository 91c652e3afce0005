#include "translate.hpp"

#include <cctype>

#include "frontends.hpp"

namespace kst {

module parse(std::string_view source, language lang) {
  switch (lang) {
    case language::python: return parse_python(source);
    case language::julia: return parse_julia(source);
    case language::fsharp: break;
  }
  module m = parse_fsharp(source);
  check_fsharp_types(m);
  return m;
}

std::string translate(std::string_view source, translate_options const& options) {
  return emit_module(parse(source, options.lang), options);
}

std::string format_error(std::string_view source_name, std::string_view source, error const& e) {
  std::string out = std::string(source_name) + ":" + std::to_string(e.where.line) + ":" +
                    std::to_string(e.where.col) + ": error: " + e.what() + "\n";
  // The offending line, and a caret under the column (tabs kept so it lines up).
  std::size_t start = 0;
  for (int line = 1; line < e.where.line && start < source.size(); ++line) {
    std::size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      start = source.size();
      break;
    }
    start = nl + 1;
  }
  if (e.where.line < 1 || start >= source.size()) return out;
  std::size_t end = source.find('\n', start);
  std::string_view text = source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  std::string caret;
  for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(e.where.col) && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\t') caret += '\t';
    else if ((c & 0xC0) != 0x80) caret += ' ';  // one column per UTF-8 character
  }
  out += "  " + std::string(text) + "\n  " + caret + "^\n";
  return out;
}

std::optional<language> language_from_path(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".py")) return language::python;
  if (ends_with(".jl")) return language::julia;
  if (ends_with(".fs") || ends_with(".fsx")) return language::fsharp;
  return std::nullopt;
}

std::optional<language> language_from_name(std::string_view name) {
  if (name == "python") return language::python;
  if (name == "julia") return language::julia;
  if (name == "fsharp" || name == "f#") return language::fsharp;
  return std::nullopt;
}

std::string namespace_from_path(std::string_view path) {
  std::size_t slash = path.find_last_of("/\\");
  std::string_view stem = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (std::size_t dot = stem.find('.'); dot != std::string_view::npos) stem = stem.substr(0, dot);
  std::string ns;
  for (unsigned char c : stem) {
    char out = std::isalnum(c) ? static_cast<char>(c) : '_';
    if (out == '_' && !ns.empty() && ns.back() == '_') continue;
    ns += out;
  }
  if (ns.empty() || ns.front() == '_' || std::isdigit(static_cast<unsigned char>(ns.front()))) ns = "ks_" + ns;
  while (!ns.empty() && ns.back() == '_') ns.pop_back();
  return ns;
}

}  // namespace kst
