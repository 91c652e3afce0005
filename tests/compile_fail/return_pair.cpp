// Several results are a std::tuple; a std::pair is refused with a message saying so.
#include <knossos/knossos.hpp>
#include <tuple>
#include <utility>
#include <vector>
#ifdef KS_CONTROL
auto f = [](auto x) { return std::tuple{x * x, 2 * x}; };
#else
auto f = [](auto x) { return std::pair{x * x, 2 * x}; };
#endif
#ifdef KS_VMAP
auto r = ks::vmap(f)(std::vector<double>{1.0, 2.0});
#else
auto r = ks::lift(f)(1.0);
#endif
