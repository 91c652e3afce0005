// The reduction benchmark's kernels (benchmarks/reduce_kernels.hpp) are right: the
// hand-written one- and two-pass baselines and the knossos calls against long double
// loops with the Huber derivatives derived by hand, at sizes that exercise the SIMD
// bodies and the scalar tails. A wrong baseline would make every ratio a lie.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "reduce_kernels.hpp"

namespace {

using ld = long double;

template <class T>
std::vector<T> ramp(std::size_t n, double lo, double hi, std::size_t mul) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(lo + (hi - lo) * double((i * mul) % 1009) / 1009.0);
  return v;
}

}  // namespace

TEST_CASE_TEMPLATE("reduction benchmark kernels agree with long double", T, float, double) {
  namespace br = bench_reduce;
  ld const tol = sizeof(T) == 4 ? 1e-5L : 1e-13L;
  T const d = T(0.5);
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{16}, std::size_t{37}, std::size_t{4099}}) {
    CAPTURE(n);
    auto p = ramp<T>(n, -2, 2, 37);
    auto t = ramp<T>(n, -2, 2, 101);
    ld loss = 0, dd = 0, scale = 0;
    std::vector<ld> dp(n);
    for (std::size_t i = 0; i < n; ++i) {
      ld r = T(p[i] - t[i]), a = std::abs(r);
      bool inside = a <= d;
      loss += inside ? r * r / 2 : d * (a - ld(d) / 2);
      dp[i] = (inside ? r : (r < 0 ? -ld(d) : ld(d))) / n;
      dd += inside ? 0 : a - d;
      scale += std::abs(inside ? 0 : a - d);
    }
    loss /= n;
    dd /= n;
    scale /= n;
    std::vector<T> tmp(n);
    CHECK(std::abs(br::knossos_huber_mean(p.data(), t.data(), d, n) - loss) <= tol * loss);
    CHECK(std::abs(br::hand_huber_mean_one_pass(p.data(), t.data(), d, n) - loss) <= tol * loss);
    CHECK(std::abs(br::hand_huber_mean_two_pass(p.data(), t.data(), d, tmp.data(), n) - loss) <= tol * loss);
    for (auto kernel : {&br::knossos_huber_mean_vag<T>, &br::hand_huber_mean_vag_one_pass<T>,
                        &br::hand_huber_mean_vag_two_pass<T>}) {
      std::vector<T> gp(n), gt(n);
      T gd = -1;
      T l = kernel(p.data(), t.data(), d, gp.data(), gt.data(), &gd, n);
      CHECK(std::abs(l - loss) <= tol * loss);
      CHECK(std::abs(gd - dd) <= tol * (scale + 1e-30L));
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(std::abs(gp[i] - dp[i]) <= tol * std::abs(dp[i]));
        CHECK(std::abs(gt[i] + dp[i]) <= tol * std::abs(dp[i]));
      }
    }
  }
  auto x = ramp<float>(100003, 0, 1, 7);
  ld sq = 0;
  for (float v : x) sq += ld(v) * v;
  CHECK(std::abs(br::knossos_sum_squares(x.data(), x.size()) - sq) <= 1e-6L * sq);
  CHECK(std::abs(br::accumulate_sum_squares(x.data(), x.size()) - sq) <= 1e-3L * sq);
}
