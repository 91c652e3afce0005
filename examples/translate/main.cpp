// relu3 translated from Python, Julia and F# agrees with the C++ relu3: values and
// derivatives on both sides of each branch and at the joins, and ks::vmap over a grid.
#include <cmath>
#include <cstdio>
#include <vector>

#include "relu3.hpp"  // examples/relu3: the C++ relu3
#include "relu3_fsharp.hpp"
#include "relu3_julia.hpp"
#include "relu3_python.hpp"

namespace {

int failures = 0;

// The translations write x^3/3 and 1/3*x^3 in their own orders: equal to an ulp or two.
void expect_close(char const* what, double x, double got, double want) {
  if (std::fabs(got - want) <= 1e-15 * std::fmax(1.0, std::fabs(want))) return;
  ++failures;
  std::printf("%s at x = %g: %.17g, C++ relu3 gives %.17g\n", what, x, got, want);
}

template <class F>
void compare(char const* language, F const& relu3) {
  for (double x : {-2.0, -0.5, -1e-9, 0.0, 1e-9, 0.25, 0.5, 0.999, 1.0, 1.001, 3.0}) {
    expect_close(language, x, relu3(x), example::relu3(x));
    expect_close(language, x, ks::grad(relu3)(x), ks::grad(example::relu3)(x));
  }
  std::vector<double> grid;
  for (int i = -100; i <= 200; ++i) grid.push_back(i / 100.0);
  std::vector<double> const got = ks::vmap(ks::grad(relu3))(grid);
  std::vector<double> const want = ks::vmap(ks::grad(example::relu3))(grid);
  for (std::size_t i = 0; i < grid.size(); ++i) expect_close(language, grid[i], got[i], want[i]);
}

}  // namespace

int main() {
  compare("Python", relu3_python::relu3);
  compare("Julia", relu3_julia::relu3);
  compare("F#", relu3_fsharp::relu3);
  std::printf("relu3 from Python, Julia and F#: %s\n", failures == 0 ? "agree with C++" : "DISAGREE");
  return failures == 0 ? 0 : 1;
}
