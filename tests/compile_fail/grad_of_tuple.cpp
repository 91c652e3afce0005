#include <knossos/knossos.hpp>
#include <tuple>
auto f = [](auto x) { return std::tuple{x * x, x + 1}; };
#ifdef KS_CONTROL
auto v = ks::lift(f)(1.0);  // several results are fine to evaluate
#else
auto d = ks::grad(f)(1.0);
#endif
