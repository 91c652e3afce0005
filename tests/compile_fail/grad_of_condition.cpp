#include <knossos/knossos.hpp>
#ifdef KS_CONTROL
auto f = [](auto x) { return ks::select(x < 0, 1, 0); };
#else
auto f = [](auto x) { return x < 0; };
#endif
auto d = ks::grad(f)(1.0);
