// knossos compiled as C++17 by mistake: one line that says what to do, not pages of
// errors from C++20 code. Compiled with -std=c++17; the control with -std=c++20.
#include <knossos/knossos.hpp>

int main() { return 0; }
