// knossos: version, the inline macro and the traits every other header uses.
// Docs: docs/index.md
#pragma once

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#define KNOSSOS_VERSION_MAJOR 0
#define KNOSSOS_VERSION_MINOR 1
#define KNOSSOS_VERSION_PATCH 0

// Expression evaluation is a recursion over small structs; forcing it inline is what
// lets the optimiser keep every intermediate value in a register.
#if defined(__GNUC__) || defined(__clang__)
#define KS_INLINE [[gnu::always_inline]] inline
#else
#define KS_INLINE inline
#endif

namespace ks::detail {

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
