#include <knossos/knossos.hpp>
#ifdef KS_CONTROL
auto f = [](auto x) { return x * x; };
#else
auto f = [](double x) { return x * x; };
#endif
auto d = ks::grad(f)(1.0);
