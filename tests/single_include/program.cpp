// Built with single_include/ as the only knossos include path.
#include <knossos/knossos.hpp>

inline constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3));
};
static_assert(ks::grad(relu3)(0.5) == 0.25);

int main() { return ks::lift(relu3)(2.0) == 2.0 - 2.0 / 3 ? 0 : 1; }
