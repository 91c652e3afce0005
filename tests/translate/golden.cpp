// Golden files: every source under golden/<language>/ translates to exactly the C++
// beside it (NAME.hpp), which a separate test compiles and runs. After a deliberate
// change of the output, KS_UPDATE_GOLDEN=1 rewrites the expected files; review the
// diff before committing it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "translate.hpp"

namespace {

std::string read(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line where the two texts differ, shown as both versions.
std::string first_difference(std::string const& want, std::string const& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, la)), more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "(no difference)";
    if (la != lb || more_a != more_b)
      return "line " + std::to_string(line) + "\n  expected: " + (more_a ? la : "(end)") + "\n  actual:   " + (more_b ? lb : "(end)");
  }
}

}  // namespace

TEST_CASE("golden: each source translates to the C++ beside it") {
  bool const update = std::getenv("KS_UPDATE_GOLDEN") != nullptr;
  int files = 0;
  for (char const* lang : {"python", "julia", "fsharp"}) {
    std::filesystem::path dir = std::filesystem::path(KS_GOLDEN_DIR) / lang;
    std::vector<std::filesystem::path> sources;
    for (auto const& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() != ".hpp") sources.push_back(entry.path());
    std::sort(sources.begin(), sources.end());
    CHECK(sources.size() >= 5);
    for (auto const& source : sources) {
      CAPTURE(source.string());
      kst::translate_options options;
      options.lang = *kst::language_from_path(source.string());
      options.source_name = source.filename().string();
      std::string const text = read(source);
      std::string got;
      try {
        got = kst::translate(text, options);
      } catch (kst::error const& e) {
        FAIL(kst::format_error(options.source_name, text, e));
      }
      std::filesystem::path expected = source;
      expected.replace_extension(".hpp");
      if (update) std::ofstream(expected, std::ios::binary) << got;
      std::string const want = read(expected);
      INFO(first_difference(want, got));
      CHECK(got == want);
      ++files;
    }
  }
  CHECK(files >= 17);
}
