// knossos: version, the inline macro and the traits every other header uses.
// Docs: docs/index.md
#pragma once

// One line instead of pages of errors from C++20 code. #error does not stop a
// compiler, so the include of a header that does not exist after it does: the
// remaining knossos code is never read.
#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "knossos needs C++20: compile with -std=c++20 (CMake: target_compile_features(app PRIVATE cxx_std_20))"
#include <knossos needs C++20>
#endif

#include <cstddef>
#include <type_traits>

// g++ without optimisation defines some AVX-512BW intrinsics as macros whose casts do
// not accept xsimd's batch types, so xsimd 8.1 (its integer select, reached by exp, log,
// ...) does not compile at -O0 -march=native on AVX-512 machines. The optimised build's
// inline functions are restored under the same names before xsimd is read. (Include
// knossos before xsimd for this to apply.)
// g++ 12 warns inside its own AVX-512 headers once their functions are inlined into
// user code (-Wuninitialized / -Wmaybe-uninitialized on the deliberate self-
// initialisation `__m512 __Y = __Y;` of _mm512_undefined_*, GCC PR 105593, fixed in
// g++ 13): hundreds of warnings in a user's -Wall build. g++ decides whether to warn
// from the pragmas in force where the warned code was read, so reading those headers
// here, under these pragmas, silences exactly those warnings and nothing in user code.
// (As for the -O0 fix below, this needs knossos included before anything that reads
// <immintrin.h>.)
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && (defined(__x86_64__) || defined(__i386__))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__) && defined(__AVX512BW__)
#include <immintrin.h>
#undef _mm512_mask_blend_epi8
#undef _mm512_mask_blend_epi16
inline __m512i _mm512_mask_blend_epi8(__mmask64 u, __m512i a, __m512i w) {
  return reinterpret_cast<__m512i>(__builtin_ia32_blendmb_512_mask(reinterpret_cast<__v64qi>(a),
                                                                   reinterpret_cast<__v64qi>(w), u));
}
inline __m512i _mm512_mask_blend_epi16(__mmask32 u, __m512i a, __m512i w) {
  return reinterpret_cast<__m512i>(__builtin_ia32_blendmw_512_mask(reinterpret_cast<__v32hi>(a),
                                                                   reinterpret_cast<__v32hi>(w), u));
}
#endif
#include <xsimd/xsimd.hpp>

#define KNOSSOS_VERSION_MAJOR 0
#define KNOSSOS_VERSION_MINOR 1
#define KNOSSOS_VERSION_PATCH 0
// One number to compare: MAJOR * 10000 + MINOR * 100 + PATCH (0.1.0 is 100).
#define KNOSSOS_VERSION (KNOSSOS_VERSION_MAJOR * 10000 + KNOSSOS_VERSION_MINOR * 100 + KNOSSOS_VERSION_PATCH)

// Expression evaluation is a recursion over small function templates. They are left
// to the compiler's inliner: forcing every level inline (always_inline) doubled g++'s
// optimisation time on large functions without changing the code of small ones. Hot
// loops (vmap) use KS_FLATTEN, which inlines everything below one function.
#define KS_INLINE inline
#if defined(__GNUC__) || defined(__clang__)
#define KS_FLATTEN [[gnu::flatten]]
#else
#define KS_FLATTEN
#endif

namespace ks::detail {

// g++ tries to constant-fold every call whose arguments are constants, and a symbolic
// derivative is all constants: folding it there is slow and useless (the optimiser
// does it anyway). Calling this non-constexpr function outside manifestly constant
// evaluation stops that attempt at once; static_assert(ks::grad(f)(x) == ...) still
// works, because there std::is_constant_evaluated() is true.
inline void fold_barrier() noexcept {}
#define KS_FOLD_BARRIER()                \
  if (!std::is_constant_evaluated()) {   \
    ::ks::detail::fold_barrier();        \
  }

template <class...>
inline constexpr bool always_false = false;

template <class T>
struct is_batch : std::false_type {};
template <class T, class A>
struct is_batch<xsimd::batch<T, A>> : std::true_type {};
template <class T>
inline constexpr bool is_batch_v = is_batch<std::remove_cvref_t<T>>::value;

template <class T>
struct is_batch_bool : std::false_type {};
template <class T, class A>
struct is_batch_bool<xsimd::batch_bool<T, A>> : std::true_type {};
template <class T>
inline constexpr bool is_batch_bool_v = is_batch_bool<std::remove_cvref_t<T>>::value;

// A value knossos computes with directly: a number or a SIMD batch (not an expression).
template <class T>
concept concrete = std::is_arithmetic_v<std::remove_cvref_t<T>> || is_batch_v<T> || is_batch_bool_v<T>;

// The scalar element type of a number or a batch.
template <class T>
struct scalar_of {
  using type = std::remove_cvref_t<T>;
};
template <class T, class A>
struct scalar_of<xsimd::batch<T, A>> {
  using type = T;
};
template <class T>
using scalar_of_t = typename scalar_of<std::remove_cvref_t<T>>::type;

}  // namespace ks::detail
