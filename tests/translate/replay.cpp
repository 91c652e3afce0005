// Replays the fuzzers' seeds and every regression input (fuzz/regressions/<language>/:
// inputs that once crashed a front end) in the ordinary build, and under the
// sanitizer preset: each ends in a header or an error with a location.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "translate.hpp"

TEST_CASE("fuzz seeds and regressions end in a header or a located error") {
  int inputs = 0;
  for (char const* lang : {"python", "julia", "fsharp"}) {
    for (char const* kind : {"seeds", "regressions"}) {
      std::filesystem::path dir = std::filesystem::path(KS_FUZZ_DIR) / kind / lang;
      for (auto const& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().filename() == ".gitkeep") continue;
        CAPTURE(entry.path().string());
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        kst::translate_options options;
        options.lang = *kst::language_from_name(lang);
        options.source_name = entry.path().filename().string();
        std::string header;
        try {
          header = kst::translate(text.str(), options);
          CHECK(header.find("namespace") != std::string::npos);
        } catch (kst::error const& e) {
          CHECK(e.where.line >= 1);
          CHECK(e.where.col >= 1);
          CHECK(!kst::format_error(options.source_name, text.str(), e).empty());
        }
        ++inputs;
      }
    }
  }
  CHECK(inputs >= 5);
}
