// The Hessian of a three-argument function that captures a run-time number (issue 20),
// built with nothing but `pkg-config --cflags knossos-<compiler>`: clang 14 stops at
// its default constant-evaluation step limit without the flag that module adds. Prints
// the version the headers carry, which the test compares with pkg-config's.
#include <cmath>
#include <cstdio>
#include <knossos/knossos.hpp>

int main(int argc, char**) {
  double const c = 1.5 + 0 * argc;  // known only at run time
  auto f = [c](auto x, auto y, auto z) {
    auto s = c / (x * x + y * y + z * z);
    auto s3 = s * s * s;
    return s3 * s3 - s3;
  };
  auto const h = ks::to_matrix(ks::hessian(f)(1.0, 1.1, 1.2));
  // The first row against central differences of the gradient.
  double const eps = 1e-6;
  auto const up = ks::to_array(ks::grad(f)(1.0 + eps, 1.1, 1.2));
  auto const down = ks::to_array(ks::grad(f)(1.0 - eps, 1.1, 1.2));
  for (std::size_t j = 0; j < 3; ++j)
    if (std::abs(h[0][j] - (up[j] - down[j]) / (2 * eps)) > 1e-6 * std::abs(h[0][j])) return 1;
  std::printf("%d.%d.%d\n", KNOSSOS_VERSION_MAJOR, KNOSSOS_VERSION_MINOR, KNOSSOS_VERSION_PATCH);
}
