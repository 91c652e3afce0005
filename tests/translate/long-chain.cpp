// Long flat sums, translated by knossos_translate() (CMakeLists.txt writes the
// sources): they compile and compute the sum exactly; the 256-term one through
// ks::grad as well, whose traced type stays shallow thanks to the partial sums.
#include <cstdio>

#include "chain2000.hpp"
#include "chain256.hpp"

int main() {
  double const value = chain2000::chain(0.5);
  double const value256 = chain256::chain(0.5);
  double const slope256 = ks::grad(chain256::chain)(0.5);
  std::printf("2000 terms: chain(0.5) = %.17g (want %.17g)\n", value, KS_CHAIN2000 * 0.5);
  std::printf("256 terms: chain(0.5) = %.17g (want %.17g), chain'(0.5) = %.17g (want %d)\n", value256,
              KS_CHAIN256 * 0.5, slope256, KS_CHAIN256);
  return value == KS_CHAIN2000 * 0.5 && value256 == KS_CHAIN256 * 0.5 && slope256 == KS_CHAIN256 ? 0 : 1;
}
