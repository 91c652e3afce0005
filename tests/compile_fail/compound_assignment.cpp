// A lambda that captures a run-time value is traced as an expression tree, whose type
// is its structure: updating a traced local in place cannot work there (it does in
// lambdas without captures, which are traced at compile time).
#include <knossos/knossos.hpp>
double scale = 2;
#ifdef KS_CONTROL
auto f = [s = scale](auto x) {
  auto y = x * s;
  auto y2 = y + 1;
  return y2;
};
#else
auto f = [s = scale](auto x) {
  auto y = x * s;
  y += 1;
  return y;
};
#endif
double d = ks::grad(f)(1.0);
