#include <knossos/knossos.hpp>
#ifdef KS_CONTROL
auto f = [](auto x) { return ks::select(x < 0, -x, x); };
#else
auto f = [](auto x) {
  if (x < 0) return -x;
  return x;
};
#endif
double d = ks::grad(f)(1.0);
