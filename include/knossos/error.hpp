// knossos: how run-time errors are reported. Every error knossos detects at run time
// (say, vmap over arrays of different sizes) goes through KNOSSOS_THROW, so that the
// library also builds with exceptions off (-fno-exceptions), as fmt and nlohmann/json
// do. Docs: docs/reference.md
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ks::detail {

// With exceptions off, an error ends the program with its message, the closest a
// program without exceptions has to an uncaught exception.
[[noreturn]] inline void abort_with(char const* message) noexcept {
  std::fprintf(stderr, "%s\n", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ks::detail

// KNOSSOS_THROW(exception): throws the exception object; with exceptions off, prints
// its what() to stderr and calls std::abort. Define KNOSSOS_THROW before including
// knossos to report errors another way (it must not return).
#ifndef KNOSSOS_THROW
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define KNOSSOS_THROW(exception) throw exception
#else
#define KNOSSOS_THROW(exception) ::ks::detail::abort_with((exception).what())
#endif
#endif
