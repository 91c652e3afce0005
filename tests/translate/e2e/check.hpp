// Compares a translated function and its ks::grad with reference values (from
// torch autograd, written by reference.py), and reports every mismatch.
#pragma once

#include <knossos/knossos.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>
#include <utility>

namespace e2e {

// Equal within a relative tolerance (absolute below 1); NaN matches NaN, inf itself.
inline bool close(double got, double want, double tolerance) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  if (std::isinf(got) || std::isinf(want)) return got == want;
  return std::fabs(got - want) <= tolerance * std::max({1.0, std::fabs(got), std::fabs(want)});
}

class checker {
 public:
  explicit checker(char const* file) : file_(file) {}

  template <class F, std::size_t N>
  void check(char const* name, F const& f, double const (&x)[N], double value, double const (&grad)[N],
             double tolerance) {
    auto at = [&x](auto const& g) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) { return g(x[I]...); }(std::make_index_sequence<N>{});
    };
    compare(name, x, "value", static_cast<double>(at(f)), value, tolerance);
    auto const g = at(ks::grad(f));
    if constexpr (N == 1) {
      compare(name, x, "derivative", static_cast<double>(g), grad[0], tolerance);
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (compare(name, x, partial_names[I], static_cast<double>(std::get<I>(g)), grad[I], tolerance), ...);
      }(std::make_index_sequence<N>{});
    }
    ++points_;
  }

  int done() const {
    std::printf("%s: %d points, %d values and derivatives compared, %d mismatches\n", file_, points_, compared_,
                failures_);
    return failures_ == 0 ? 0 : 1;
  }

 private:
  static constexpr char const* partial_names[] = {"d/d arg 1", "d/d arg 2", "d/d arg 3", "d/d arg 4",
                                                  "d/d arg 5", "d/d arg 6", "d/d arg 7", "d/d arg 8"};

  template <std::size_t N>
  void compare(char const* name, double const (&x)[N], char const* what, double got, double want, double tolerance) {
    ++compared_;
    if (close(got, want, tolerance)) return;
    ++failures_;
    std::printf("%s: %s(", file_, name);
    for (std::size_t i = 0; i < N; ++i) std::printf("%s%.17g", i ? ", " : "", x[i]);
    std::printf("): %s is %.17g, torch says %.17g\n", what, got, want);
  }

  char const* file_;
  int points_ = 0, compared_ = 0, failures_ = 0;
};

}  // namespace e2e
