// A program a knossos user writes: built by the consumer-side packaging tests.
#include <knossos/knossos.hpp>

int main() {
  auto f = [](auto x) { return x * x; };
  return ks::grad(f)(3.0) == 6.0 ? 0 : 1;
}
