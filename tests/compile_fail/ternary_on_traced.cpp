#include <knossos/knossos.hpp>
// With branches of one type the conversion of the condition to bool is what fails.
// (With branches of different types the compiler reports the ?: operand types first.)
#ifdef KS_CONTROL
auto f = [](auto x) { return ks::select(x > 1, x * 2, x * 3); };
#else
auto f = [](auto x) { return x > 1 ? x * 2 : x * 3; };
#endif
double d = ks::grad(f)(2.0);
