// A program built with nothing but `pkg-config --cflags knossos`: prints the version
// the headers carry, which the test compares with the one pkg-config reports.
#include <cstdio>
#include <knossos/knossos.hpp>
#include <vector>

static_assert(KNOSSOS_VERSION == KNOSSOS_VERSION_MAJOR * 10000 + KNOSSOS_VERSION_MINOR * 100 + KNOSSOS_VERSION_PATCH);

int main() {
  std::vector<double> x{-1.0, 0.5, 2.0};
  auto d = ks::vmap(ks::grad([](auto v) { return v * v * v; }))(x);
  if (d[0] != 3.0 || d[1] != 0.75 || d[2] != 12.0) return 1;
  std::printf("%d.%d.%d\n", KNOSSOS_VERSION_MAJOR, KNOSSOS_VERSION_MINOR, KNOSSOS_VERSION_PATCH);
}
