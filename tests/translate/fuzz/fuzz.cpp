// libFuzzer target for one front end (KS_FUZZ_LANGUAGE): any input must end in a
// header or a located kst::error, never a crash, a sanitizer report or a hang. The
// error path also formats the message with its caret, as the command line does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "translate.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view source(reinterpret_cast<char const*>(data), size);
  kst::translate_options options;
  options.lang = kst::language::KS_FUZZ_LANGUAGE;
  options.source_name = "fuzz";
  try {
    std::string header = kst::translate(source, options);
    if (header.empty()) __builtin_trap();
    (void)kst::dump(kst::parse(source, options.lang));
  } catch (kst::error const& e) {
    if (e.where.line < 1 || e.where.col < 1) __builtin_trap();  // every error has a location
    (void)kst::format_error("fuzz", source, e);
  }
  return 0;
}
