// vmap in a program built with -fno-exceptions. Run without arguments it checks its
// results; run with `mismatch` it calls vmap on arrays of different sizes, which must
// end the program (std::abort) after printing the same message the exception carries.
#include <cstring>
#include <knossos/knossos.hpp>
#include <vector>

int main(int argc, char** argv) {
  auto relu3 = [](auto x) { return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3)); };
  std::vector<double> x{-1.0, 0.5, 3.0};
  if (argc > 1 && std::strcmp(argv[1], "mismatch") == 0) {
    std::vector<double> y(2);
    ks::vmap([](auto a, auto b) { return a + b; })(x, y);
    return 0;  // not reached
  }
  auto r = ks::vmap(relu3)(x);
  return r[0] == 0.0 && r[1] == 0.125 / 3 && r[2] == 3.0 - 2.0 / 3 ? 0 : 1;
}
