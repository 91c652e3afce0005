// Without <knossos/eigen.hpp>, Eigen objects are refused at compile time, never read
// as contiguous memory (a block or a row has data() and size() but skips elements).
// Eigen is included after knossos here: the refusal must not depend on include order.
// Built once per kind (-DKS_<KIND>); the control builds every kind with the header.
#include <knossos/knossos.hpp>

#include <Eigen/Core>
#include <vector>
#ifdef KS_CONTROL
#include <knossos/eigen.hpp>
#endif

auto twice = [](auto x) { return x * 2; };

void use(Eigen::MatrixXf& m, Eigen::Matrix<float, 4, 4, Eigen::RowMajor>& r, Eigen::ArrayXXd& a,
         std::vector<float>& v) {
#if defined(KS_CONTROL) || defined(KS_MATRIX)
  ks::vmap(twice)(m);
#endif
#if defined(KS_CONTROL) || defined(KS_ROW_MAJOR)
  ks::vmap(twice)(r);
#endif
#if defined(KS_CONTROL) || defined(KS_ARRAY)
  ks::vmap(twice)(a);
#endif
#if defined(KS_CONTROL) || defined(KS_BLOCK)
  ks::vmap(twice)(m.block(0, 0, 2, 2));
#endif
#if defined(KS_CONTROL) || defined(KS_ROW)
  ks::vmap(twice)(m.row(1));
#endif
#if defined(KS_CONTROL) || defined(KS_COLUMN)
  ks::vmap(twice)(r.col(1));
#endif
#if defined(KS_CONTROL) || defined(KS_TRANSPOSE)
  ks::vmap(twice)(m.transpose());
#endif
#if defined(KS_CONTROL) || defined(KS_STRIDED_MAP)
  ks::vmap(twice)(Eigen::Map<Eigen::VectorXf, 0, Eigen::InnerStride<2>>(m.data(), 8));
#endif
#if defined(KS_CONTROL) || defined(KS_OUTPUT)
  ks::vmap(twice).into(m.col(0), v);
#endif
  (void)v;
}
