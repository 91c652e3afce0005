// knossos: ks::lift(f) turns a scalar generic lambda into a knossos function: it is
// traced with placeholders and its expression evaluated on numbers, batches or
// expressions. Every transformation (grad, vjp, vmap, ...) starts here.
// Docs: docs/scalar-functions.md
#pragma once

#include <tuple>

#include <knossos/eval.hpp>

namespace ks::detail {

// Base of every callable knossos returns (lift, grad, vjp, ...). Such a callable says
// which argument counts it accepts, so its arity can be found without calling it.
struct function_tag {};

template <class F>
concept knossos_function = std::derived_from<std::remove_cvref_t<F>, function_tag>;

template <class F, class Seq>
struct traceable_with;
template <class F, std::size_t... I>
struct traceable_with<F, std::index_sequence<I...>> : std::is_invocable<F const&, var<I>...> {};

// Can f be called with N traced arguments?
template <class F, std::size_t N>
inline constexpr bool traceable = [] {
  if constexpr (knossos_function<F>)
    return F::template accepts<N>;
  else
    return traceable_with<F, std::make_index_sequence<N>>::value;
}();

inline constexpr std::size_t max_arity = 16;

// The smallest number of arguments f can be traced with (max_arity + 1 if none).
template <class F, std::size_t N = 0>
constexpr std::size_t arity_of() {
  if constexpr (N > max_arity)
    return N;
  else if constexpr (traceable<F, N>)
    return N;
  else
    return arity_of<F, N + 1>();
}

template <class F>
concept callable_object = std::is_class_v<std::remove_cvref_t<F>>;

template <class F, std::size_t N>
constexpr void check_traceable() {
  static_assert(callable_object<F>,
                "knossos: expected a function object, e.g. a generic lambda [](auto x) { ... }");
  static_assert(traceable<F, N>,
                "knossos: the function cannot be called with this many arguments, or its "
                "parameters are not `auto` (write [](auto x, auto y) { ... })");
}

template <class F, std::size_t... I>
KS_INLINE constexpr auto trace(F const& f, std::index_sequence<I...>) {
  return f(var<I>{}...);
}

// The traced expression of f with N arguments.
template <std::size_t N, class F>
KS_INLINE constexpr auto trace(F const& f) {
  check_traceable<F, N>();
  if constexpr (traceable<F, N>)
    return detail::trace(f, std::make_index_sequence<N>{});
  else
    return zero_t{};  // after the static_assert above: keeps the diagnostic short
}

template <class T>
struct is_std_tuple : std::false_type {};
template <class... T>
struct is_std_tuple<std::tuple<T...>> : std::true_type {};
template <class T>
inline constexpr bool is_std_tuple_v = is_std_tuple<std::remove_cvref_t<T>>::value;

// Evaluate a traced result (one expression or a tuple of them) in context V.
template <class V, class R, class Env>
KS_INLINE constexpr auto eval_result(R const& r, Env const& env) {
  if constexpr (is_std_tuple_v<R>)
    return std::apply([&](auto const&... e) { return std::tuple{detail::eval_result<V>(e, env)...}; }, r);
  else if constexpr (is_symbolic<V>)
    return detail::eval<V>(r, env);
  else
    return detail::to_concrete<V>(detail::eval<V>(r, env));
}

// The evaluation context for arguments a...: symbolic if any is traced, else their
// common concrete type.
template <bool Symbolic, class... A>
struct context {
  using type = symbolic;
};
template <class... A>
struct context<false, A...> {
  using type = common_concrete_t<A...>;
};
template <class... A>
using context_t = typename context<any_traced<A...>, A...>::type;

// Arguments as the environment of an evaluation in context V.
template <class V, class... A>
KS_INLINE constexpr auto make_env(A const&... a) {
  if constexpr (is_symbolic<V>)
    return std::tuple{detail::wrap(a)...};
  else
    return std::tuple{detail::to_concrete<V>(a)...};
}

template <class F>
struct lifted : function_tag {
  [[no_unique_address]] F f;

  template <std::size_t N>
  static constexpr bool accepts = traceable<F, N>;

  template <class... A>
  KS_INLINE constexpr auto operator()(A const&... a) const {
    static_assert(((operand<A> || concrete<A>) && ...),
                  "knossos: arguments must be numbers, xsimd batches or traced values");
    using V = context_t<A...>;
    return detail::eval_result<V>(trace<sizeof...(A)>(f), detail::make_env<V>(a...));
  }
};

}  // namespace ks::detail

namespace ks {

/// The knossos function of a scalar generic lambda: evaluates it by tracing, so literals
/// are weak, `select` is branch-aware, and it runs on numbers, batches and traced values.
/// A knossos function is returned unchanged. Docs: docs/scalar-functions.md
template <class F>
KS_INLINE constexpr auto lift(F const& f) {
  static_assert(detail::callable_object<F>,
                "ks::lift: expected a function object, e.g. a generic lambda [](auto x) { ... }");
  if constexpr (detail::knossos_function<F>)
    return f;
  else
    return detail::lifted<F>{{}, f};
}

}  // namespace ks
