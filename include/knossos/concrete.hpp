// knossos: the types knossos computes with (numbers and SIMD batches), and the type a
// mix of them computes in. Docs: docs/scalar-functions.md
#pragma once

#include <type_traits>

#include <knossos/config.hpp>

namespace ks::detail {

// The number v as a value of type V (a number or a batch of V's element type).
template <class V, class T>
constexpr V number_as(T v) {
  if constexpr (is_batch_v<V>)
    return V(static_cast<scalar_of_t<V>>(v));
  else
    return static_cast<V>(v);
}

// The plain number or batch type that several operands compute in: a batch if any
// operand is one, else their common type, with integers promoted to double. Booleans
// and conditions do not choose the type.
struct no_concrete {};

template <class A, class B>
constexpr auto combine() {
  if constexpr (std::is_same_v<A, no_concrete>)
    return std::type_identity<B>{};
  else if constexpr (std::is_same_v<B, no_concrete> || is_batch_v<A>)
    return std::type_identity<A>{};
  else if constexpr (is_batch_v<B>)
    return std::type_identity<B>{};
  else
    return std::type_identity<std::common_type_t<A, B>>{};
}

template <class... T>
struct common_concrete_impl {
  using type = no_concrete;
};
template <class T, class... R>
struct common_concrete_impl<T, R...> {
  using rest = typename common_concrete_impl<R...>::type;
  using U = std::remove_cvref_t<T>;
  using own = std::conditional_t<is_batch_bool_v<U> || std::is_same_v<U, bool> || !concrete<U>, no_concrete,
                                 std::conditional_t<std::is_integral_v<U>, double, U>>;
  using type = typename decltype(combine<own, rest>())::type;
};
template <class... T>
struct common_concrete {
  using impl = typename common_concrete_impl<T...>::type;
  using type = std::conditional_t<std::is_same_v<impl, no_concrete>, double, impl>;
};
template <class... T>
using common_concrete_t = typename common_concrete<T...>::type;

// Convert a number or batch to the concrete type V (a batch broadcasts a number).
template <class V, class T>
constexpr V to_concrete(T const& x) {
  if constexpr (std::is_same_v<std::remove_cvref_t<T>, V>)
    return x;
  else
    return detail::number_as<V>(static_cast<scalar_of_t<V>>(x));
}

}  // namespace ks::detail
