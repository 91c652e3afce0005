#include <knossos/knossos.hpp>
#ifdef KS_CONTROL
auto f = [](auto x) {
  auto y = x * 2;
  auto y2 = y + 1;
  return y2;
};
#else
auto f = [](auto x) {
  auto y = x * 2;
  y += 1;
  return y;
};
#endif
double d = ks::grad(f)(1.0);
