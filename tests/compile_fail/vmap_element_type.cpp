// vmap over arrays of anything but float or double: the first error is ours.
#include <knossos/knossos.hpp>
#include <vector>

auto twice = [](auto x) { return x * 2; };

#if defined(KS_CONTROL)
using element = float;
#elif defined(KS_LONG_DOUBLE)
using element = long double;
#else
using element = int;
#endif

std::vector<element> run(std::vector<element> const& v) { return ks::vmap(twice)(v); }
