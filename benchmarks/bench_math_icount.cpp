// Instructions per element of the SIMD erf, erfc and tanh knossos uses (simd_math.hpp)
// against Eigen 3.4's packet functions (float erf and tanh: Eigen vectorises no double
// ones and no erfc) and xsimd 8.1's, counted exactly by single-stepping (icount.hpp), so
// independent of machine load. Each is a loop of aligned loads, the function and stores
// over N elements, uniform in [-3, 3] (xsimd's erf and erfc branch on the data; ours
// only for double erfc beyond 6). Per element = (count at N = 4096 + 16 - count at N =
// 16) / 4096. Prints a Markdown table; exits with status 1 where knossos needs more than
// its bound (1.05 x Eigen's, 1.0 x xsimd's).
#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <knossos/knossos.hpp>
#include <random>
#include <vector>

#include "icount.hpp"

namespace {

template <class T, class F>
[[gnu::noinline]] void run(F const& f, T const* x, T* y, std::size_t n) {
  using B = xsimd::batch<T>;
  for (std::size_t i = 0; i < n; i += B::size) f(B::load_aligned(x + i)).store_aligned(y + i);
}

template <class T, class F>
double per_element(F const& f) {
  constexpr std::size_t small = 16, large = 4096 + 16;
  std::vector<T, xsimd::aligned_allocator<T>> x(large), y(large);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-3, 3);
  for (T& v : x) v = static_cast<T>(u(rng));
  std::uint64_t const a = icount::count([&] { run<T>(f, x.data(), y.data(), small); });
  std::uint64_t const b = icount::count([&] { run<T>(f, x.data(), y.data(), large); });
  return static_cast<double>(b - a) / static_cast<double>(large - small);
}

template <class B>
B eigen_erf(B const& v) {
  return B(Eigen::internal::perf(static_cast<typename B::register_type>(v)));
}
template <class B>
B eigen_tanh(B const& v) {
  return B(Eigen::internal::ptanh(static_cast<typename B::register_type>(v)));
}

bool row(char const* name, char const* type, double ours, double other, char const* who, double bound) {
  bool const ok = ours <= bound * other;
  std::printf("| %s | %s | %.3f | %.3f (%s) | %.2f | %.2f | %s |\n", name, type, ours, other, who, ours / other, bound,
              ok ? "ok" : "**over bound**");
  return ok;
}

}  // namespace

int main() {
  try {
    using F = xsimd::batch<float>;
    using D = xsimd::batch<double>;
    // Eigen's packets apply where Eigen was compiled for the batch's register width.
    constexpr bool eigen = Eigen::internal::packet_traits<float>::size == static_cast<int>(F::size);
    std::printf("| function | type | knossos / elem | other / elem | ratio | bound | |\n|---|---|---|---|---|---|---|\n");
    bool ok = true;
    double const erf_f = per_element<float>([](F v) { return ks::erf(v); });
    double const tanh_f = per_element<float>([](F v) { return ks::tanh(v); });
    if constexpr (eigen) {
      ok = row("erf", "f32", erf_f, per_element<float>([](F v) { return eigen_erf(v); }), "Eigen", 1.05) && ok;
      ok = row("tanh", "f32", tanh_f, per_element<float>([](F v) { return eigen_tanh(v); }), "Eigen", 1.0) && ok;
    }
    ok = row("erf", "f32", erf_f, per_element<float>([](F v) { return xsimd::erf(v); }), "xsimd", 1.0) && ok;
    ok = row("erfc", "f32", per_element<float>([](F v) { return ks::erfc(v); }),
             per_element<float>([](F v) { return xsimd::erfc(v); }), "xsimd", 1.15) && ok;
    ok = row("tanh", "f32", tanh_f, per_element<float>([](F v) { return xsimd::tanh(v); }), "xsimd", 1.0) && ok;
    ok = row("erf", "f64", per_element<double>([](D v) { return ks::erf(v); }),
             per_element<double>([](D v) { return xsimd::erf(v); }), "xsimd", 1.0) && ok;
    ok = row("erfc", "f64", per_element<double>([](D v) { return ks::erfc(v); }),
             per_element<double>([](D v) { return xsimd::erfc(v); }), "xsimd", 1.0) && ok;
    ok = row("tanh", "f64", per_element<double>([](D v) { return ks::tanh(v); }),
             per_element<double>([](D v) { return xsimd::tanh(v); }), "xsimd", 1.0) && ok;
    return ok ? 0 : 1;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
