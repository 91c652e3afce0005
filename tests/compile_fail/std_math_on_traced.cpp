// std::exp (or any <cmath> function) on a traced value: the first error says to use
// ks::exp, under grad, under vmap, and in a function that captures a number.
#include <cmath>
#include <knossos/knossos.hpp>
#include <vector>
#ifdef KS_CONTROL
#define KS_EXP ks::exp
#else
#define KS_EXP std::exp
#endif
#if defined(KS_VMAP)
auto f = [](auto x) { return KS_EXP(x) * x; };
auto r = ks::vmap(f)(std::vector<double>{1.0, 2.0});
#elif defined(KS_CAPTURE)
double derivative(double c) {
  auto f = [c](auto x) { return KS_EXP(c * x); };
  return ks::grad(f)(1.0);
}
#else
auto f = [](auto x, auto y) { return KS_EXP(x) * y; };
auto r = ks::grad(f)(1.0, 2.0);
#endif
