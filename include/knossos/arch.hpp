// knossos: the little that ks::vmap needs from the instruction set beyond xsimd:
// non-temporal (streaming) stores. Each target that has them gets a branch here; any
// other target (aarch64, ...) compiles the portable fallback, where streaming is off
// and vmap uses plain stores. Docs: docs/vmap.md
#pragma once

#include <cstddef>
#include <type_traits>

#include <knossos/config.hpp>

#if defined(__SSE2__) || defined(_M_X64)
#include <immintrin.h>
#define KS_HAS_STREAM_STORES 1
#else
#define KS_HAS_STREAM_STORES 0
#endif

namespace ks::detail {

// True when store_stream<B> writes around the caches for batches of type B. Where it
// is false, streaming would only add a head/tail split to the loop, so vmap skips it.
template <class B>
inline constexpr bool has_stream_store = [] {
#if KS_HAS_STREAM_STORES
  constexpr std::size_t bytes = sizeof(typename B::register_type);
  return bytes == 16
#if defined(__AVX__)
         || bytes == 32
#endif
#if defined(__AVX512F__)
         || bytes == 64
#endif
      ;
#else
  return false;
#endif
}();

// Stores v at p (aligned to sizeof(B::register_type)) without first reading the
// destination line into the cache.
template <class B, class T>
KS_INLINE void store_stream(T* p, B const& v) {
#if KS_HAS_STREAM_STORES
  auto r = static_cast<typename B::register_type>(v);
  constexpr bool is_float = std::is_same_v<T, float>;
#if defined(__AVX512F__)
  if constexpr (sizeof(r) == 64) {
    if constexpr (is_float) return _mm512_stream_ps(p, r);
    else return _mm512_stream_pd(p, r);
  }
#endif
#if defined(__AVX__)
  if constexpr (sizeof(r) == 32) {
    if constexpr (is_float) return _mm256_stream_ps(p, r);
    else return _mm256_stream_pd(p, r);
  }
#endif
  if constexpr (sizeof(r) == 16) {
    if constexpr (is_float) return _mm_stream_ps(p, r);
    else return _mm_stream_pd(p, r);
  }
#endif
  v.store_aligned(p);
}

// Makes streamed stores visible to every later load, on any thread.
KS_INLINE void stream_fence() {
#if KS_HAS_STREAM_STORES
  _mm_sfence();
#endif
}

}  // namespace ks::detail

#undef KS_HAS_STREAM_STORES
