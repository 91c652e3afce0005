#include <knossos/knossos.hpp>
auto f = [](auto x, auto y) { return x * y; };
#ifdef KS_CONTROL
double d = ks::grad<1>(f)(1.0, 2.0);
#else
double d = ks::grad<2>(f)(1.0, 2.0);
#endif
