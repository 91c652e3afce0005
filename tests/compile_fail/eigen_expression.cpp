// An Eigen product (or any other expression not stored in memory) passed to vmap:
// the message says to .eval() it, with or without <knossos/eigen.hpp>.
#include <Eigen/Core>
#if defined(KS_WITH_HEADER) || defined(KS_CONTROL)
#include <knossos/eigen.hpp>
#endif
#include <knossos/knossos.hpp>

auto twice = [](auto x) { return x * 2; };

void use(Eigen::MatrixXf const& w, Eigen::MatrixXf const& x) {
#ifdef KS_CONTROL
  ks::vmap(twice)((w * x).eval());
  ks::vmap(twice)((w + x).eval());
#elif defined(KS_SUM)
  ks::vmap(twice)(w + x);
#else
  ks::vmap(twice)(w * x);
#endif
}
