// relu3, the seed's activation: 0 for x < 0, x^3/3 for 0 <= x < 1, x - 2/3 otherwise.
// Written as the seed's Python writes it (1/3 * x**3), as one generic lambda.
#pragma once

#include <knossos/knossos.hpp>

namespace example {

inline constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, (1.0 / 3) * (x * x * x), x - 2.0 / 3));
};

}  // namespace example
