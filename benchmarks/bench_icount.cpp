// Instructions per element and per call of every kernel of the suite (suite.hpp),
// knossos against the hand-written xsimd loop, counted exactly by single-stepping
// (icount.hpp): independent of machine load, unlike timings on a shared machine.
//
//   per element = (count at N = 4096 + 16 - count at N = 16) / 4096
//   per call    = count at N = 16, less the counter's own constant
//
// Prints a Markdown table; exits with status 1 when a kernel's per-element ratio
// knossos / hand exceeds its bound below (the ctest bench.icount). SPEC section 7's
// target is 1.05; the bounds are 1.10 where knossos meets that today, and the measured
// ratio rounded up where it does not, marked "issue 8: over target".
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "icount.hpp"
#include "suite.hpp"

namespace {

struct bound {
  std::string_view fn, kind, type;
  double max_ratio;
};

// Measured with g++ 12 -O3 -march=native on AVX-512 (AMD EPYC); counts are exact, so a
// bound holds or fails the same on every run with the same compiler and ISA.
constexpr bound bounds[] = {
    {"relu3", "fwd", "f32", 1.10},
    {"relu3", "fwd", "f64", 1.10},
    {"relu3", "vjp", "f32", 1.10},
    {"relu3", "vjp", "f64", 1.10},
    {"gelu", "fwd", "f32", 1.10},
    {"gelu", "fwd", "f64", 1.10},
    {"gelu", "vjp", "f32", 1.10},
    {"gelu", "vjp", "f64", 1.10},
    {"huber", "vjp", "f32", 1.27},  // issue 8: over target,
    {"huber", "vjp", "f64", 1.27},  // issue 8: over target,
    {"huber", "value_and_grad", "f32", 1.25},  // issue 8: over target,
    {"huber", "value_and_grad", "f64", 1.25},  // issue 8: over target,
    {"softplus", "fwd", "f32", 1.10},
    {"softplus", "fwd", "f64", 1.10},
    {"softplus", "vjp", "f32", 1.10},
    {"softplus", "vjp", "f64", 1.10},
    {"black_scholes", "value_and_grad", "f32", 1.10},
    {"black_scholes", "value_and_grad", "f64", 1.15},  // issue 8: over target,
    {"chained", "vjp", "f32", 1.10},
    {"chained", "vjp", "f64", 1.10},
};

constexpr std::size_t small_n = 16, large_n = 4096 + 16;

double bound_of(std::string_view fn, std::string_view kind, std::string_view type) {
  for (auto const& b : bounds)
    if (b.fn == fn && b.kind == kind && b.type == type) return b.max_ratio;
  return 0;  // a kernel without a bound fails: add its row
}

struct counts {
  double per_element;
  std::uint64_t per_call;
};

template <class T>
counts measure(bench::kernel_case<T> const& c, bench::kernel_fn<T> kernel) {
  bench::case_buffers<T> buf(c, large_n);
  T const* const* in = buf.in_ptr.data();
  T* const* out = buf.out_ptr.data();
  std::uint64_t small = icount::count([&] { kernel(in, out, small_n); });
  std::uint64_t large = icount::count([&] { kernel(in, out, large_n); });
  return {static_cast<double>(large - small) / static_cast<double>(large_n - small_n), small - icount::overhead()};
}

template <class T>
bool report() {
  char const* type = sizeof(T) == 4 ? "f32" : "f64";
  bool ok = true;
  for (auto const& c : bench::suite<T>()) {
    counts k = measure(c, c.knossos), h = measure(c, c.xsimd);
    double ratio = k.per_element / h.per_element, limit = bound_of(c.fn, c.kind, type);
    bool pass = ratio <= limit;
    ok = ok && pass;
    std::string name = std::string(c.fn) + "/" + std::string(c.kind) + "/" + type;
    std::printf("| %s | %.3f | %.3f | %.3f | %.2f | %s | %llu | %llu | %.2f |\n", name.c_str(), k.per_element,
                h.per_element, ratio, limit, pass ? "ok" : "**over bound**",
                static_cast<unsigned long long>(k.per_call), static_cast<unsigned long long>(h.per_call),
                static_cast<double>(k.per_call) / static_cast<double>(h.per_call));
    std::fflush(stdout);
  }
  return ok;
}

}  // namespace

int main() {
  try {
    std::printf("Instructions (user space, exact), knossos vs hand-written xsimd; per element at N = %zu - %zu, "
                "per call at N = %zu (counter constant %llu subtracted).\n\n",
                large_n, small_n, small_n, static_cast<unsigned long long>(icount::overhead()));
    std::printf("| kernel | knossos / elem | hand / elem | ratio | bound | | knossos N=16 | hand N=16 | ratio |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    bool ok = report<float>();
    ok = report<double>() && ok;
    return ok ? 0 : 1;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
