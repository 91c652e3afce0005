#include <knossos/knossos.hpp>
auto f = [](auto x, auto y) { return x * y; };
#ifdef KS_CONTROL
auto d = ks::grad(f)(1.0, 2.0);
#else
auto d = ks::grad(f)(1.0);
#endif
