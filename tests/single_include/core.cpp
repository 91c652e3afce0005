// Built with single_include/ as the only knossos include path and no Eigen: the core
// header needs none (its SIMD erf, erfc and tanh are knossos' own).
#include <cmath>
#include <knossos/knossos.hpp>
#include <vector>

#if defined(EIGEN_WORLD_VERSION)
#error "knossos.hpp included Eigen"
#endif

inline constexpr auto gelu = [](auto x) { return 0.5 * x * (1 + ks::erf(x * 0.70710678118654752)); };

int main() {
  std::vector<double> x{-2.0, -0.5, 0.0, 0.5, 2.0, 3.0, -1.0, 1.0, 0.25};
  std::vector<double> y = ks::vmap(gelu)(x), dy = ks::vmap(ks::grad(gelu))(x);
  bool ok = true;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double const want = ks::lift(gelu)(x[i]), dwant = ks::grad(gelu)(x[i]);  // std::erf
    ok = ok && std::abs(y[i] - want) <= 1e-15 && std::abs(dy[i] - dwant) <= 1e-15;
  }
  return ok ? 0 : 1;
}
