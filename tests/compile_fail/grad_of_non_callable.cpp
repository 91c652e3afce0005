#include <knossos/knossos.hpp>
#ifdef KS_CONTROL
auto g = ks::grad([](auto x) { return x; });
#else
auto g = ks::grad(42);
#endif
