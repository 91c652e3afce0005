// ks-translate: scalar functions in Python, Julia or F# -> a header of knossos lambdas.
// Usage: ks-translate INPUT -o OUTPUT [--namespace NS] [--lang python|julia|fsharp]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "translate.hpp"

namespace {

int usage(char const* why) {
  std::cerr << "ks-translate: " << why << "\n"
            << "usage: ks-translate INPUT -o OUTPUT [--namespace NS] [--lang python|julia|fsharp]\n";
  return 2;
}

// Writes next to the output and renames, so a failed run never leaves a partial file.
bool write_atomically(std::filesystem::path const& path, std::string const& text) {
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

}  // namespace

int main(int argc, char** argv) {
  std::string input, output, ns, lang_name;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&](char const* what) -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(std::string(what) + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "-o" || a == "--output") output = next("-o");
      else if (a == "--namespace") ns = next("--namespace");
      else if (a == "--lang") lang_name = next("--lang");
      else if (a == "-h" || a == "--help") return usage("translates scalar functions into knossos lambdas"), 0;
      else if (!a.empty() && a.front() == '-') return usage(("unknown option " + std::string(a)).c_str());
      else if (input.empty()) input = a;
      else return usage("more than one input file");
    } catch (std::exception const& e) {
      return usage(e.what());
    }
  }
  if (input.empty() || output.empty()) return usage("an input file and -o OUTPUT are required");

  kst::translate_options options;
  if (!lang_name.empty()) {
    auto l = kst::language_from_name(lang_name);
    if (!l) return usage(("unknown language '" + lang_name + "' (python, julia or fsharp)").c_str());
    options.lang = *l;
  } else if (auto l = kst::language_from_path(input)) {
    options.lang = *l;
  } else {
    return usage("cannot tell the language from the file name; pass --lang");
  }
  if (!ns.empty()) {
    if (kst::namespace_from_path(ns) != ns || kst::is_unsafe_identifier(ns))
      return usage(("'" + ns + "' is not a usable C++ namespace name").c_str());
  }
  options.namespace_name = ns;
  options.source_name = std::filesystem::path(input).filename().string();

  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::cerr << input << ": error: cannot read the file\n";
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string const source = buffer.str();

  std::string header;
  try {
    header = kst::translate(source, options);
  } catch (kst::error const& e) {
    std::cerr << kst::format_error(input, source, e);
    return 1;
  }
  if (!write_atomically(output, header)) {
    std::cerr << output << ": error: cannot write the file\n";
    return 1;
  }
  return 0;
}
