// ks-translate: scalar functions in Python, Julia or F# -> a header of knossos lambdas.
// Exit status: 0 translated, 1 the input has an error (or cannot be read or written),
// 2 the command line is wrong. Docs: docs/translate.md
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "frontends.hpp"
#include "translate.hpp"

#ifndef KS_TRANSLATE_VERSION
#define KS_TRANSLATE_VERSION "unknown"
#endif

namespace {

constexpr char help[] =
    "usage: ks-translate INPUT -o OUTPUT [options]\n"
    "Translates the scalar functions of a Python, Julia or F# file into a C++ header of\n"
    "knossos lambdas (inline constexpr auto NAME = [](auto x) { ... };).\n"
    "\n"
    "  -o, --output FILE   the header to write; '-' writes to standard output\n"
    "  --namespace NS      the C++ namespace (a::b nests); default: the input file's name\n"
    "  --lang LANG         python, julia or fsharp; default: from the extension (.py .jl .fs .fsx)\n"
    "  --dump-ast          print the parsed syntax tree instead of C++ (for debugging)\n"
    "  -h, --help          print this help\n"
    "  --version           print the version\n"
    "\n"
    "An error in the input is reported as FILE:LINE:COL: error: MESSAGE with the line and\n"
    "a caret; the exit status is then 1 and no output file is written.\n";

int usage(std::string const& why) {
  std::cerr << "ks-translate: " << why << "\nusage: ks-translate INPUT -o OUTPUT [--namespace NS] [--lang LANG] "
            << "[--dump-ast]\n(ks-translate --help lists the options)\n";
  return 2;
}

// Writes next to the output and renames, so a failed run never leaves a partial file.
bool write_atomically(std::filesystem::path const& path, std::string const& text) {
  if (path == "-") return static_cast<bool>(std::cout << text << std::flush);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!(out << text) || !out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

// A C++ namespace name: identifiers joined by ::, none of them reserved.
bool usable_namespace(std::string const& ns) {
  for (std::size_t start = 0;;) {
    std::size_t end = ns.find("::", start);
    std::string part = ns.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || kst::namespace_from_path(part) != part || kst::is_unsafe_identifier(part)) return false;
    if (end == std::string::npos) return true;
    start = end + 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, output, ns, lang_name;
  bool dump_ast = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (a == "-o" || a == "--output") {
      if (!value(output)) return usage(std::string(a) + " needs a file name");
    } else if (a == "--namespace") {
      if (!value(ns)) return usage("--namespace needs a name");
    } else if (a == "--lang") {
      if (!value(lang_name)) return usage("--lang needs python, julia or fsharp");
    } else if (a == "--dump-ast") {
      dump_ast = true;
    } else if (a == "-h" || a == "--help") {
      std::cout << help;
      return 0;
    } else if (a == "--version") {
      std::cout << "ks-translate " << KS_TRANSLATE_VERSION << "\n";
      return 0;
    } else if (a.size() > 1 && a.front() == '-') {
      return usage("unknown option '" + std::string(a) + "'");
    } else if (input.empty()) {
      input = a;
    } else {
      return usage("more than one input file ('" + input + "' and '" + std::string(a) + "')");
    }
  }
  if (input.empty()) return usage("no input file");
  if (output.empty() && !dump_ast) return usage("no output file; give -o OUTPUT (or -o - for standard output)");
  if (output.empty()) output = "-";

  kst::translate_options options;
  if (!lang_name.empty()) {
    auto l = kst::language_from_name(lang_name);
    if (!l) return usage("unknown language '" + lang_name + "' (python, julia or fsharp)");
    options.lang = *l;
  } else if (auto l = kst::language_from_path(input)) {
    options.lang = *l;
  } else {
    return usage("cannot tell the language of '" + input + "' from its extension; pass --lang");
  }
  if (!ns.empty() && !usable_namespace(ns)) return usage("'" + ns + "' is not a usable C++ namespace name");
  options.namespace_name = ns;
  options.source_name = std::filesystem::path(input).filename().string();

  std::error_code ec;
  std::ifstream in(input, std::ios::binary);
  if (!in || std::filesystem::is_directory(input, ec)) {
    std::cerr << input << ": error: cannot read the file\n";
    return 1;
  }
  std::string const source{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

  std::string text;
  try {
    text = dump_ast ? kst::dump(kst::parse(source, options.lang)) : kst::translate(source, options);
  } catch (kst::error const& e) {
    std::cerr << kst::format_error(input, source, e);
    return 1;
  }
  if (!write_atomically(output, text)) {
    std::cerr << output << ": error: cannot write the file\n";
    return 1;
  }
  return 0;
}
