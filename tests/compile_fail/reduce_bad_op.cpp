#include <functional>
#include <knossos/knossos.hpp>
auto f = [](auto x) { return x * x; };
#ifdef KS_CONTROL
auto r = ks::reduce(f, std::plus<>{});  // the standard sum and product are known
#else
auto r = ks::reduce(f, std::minus<>{});  // no identity, not associative
#endif
