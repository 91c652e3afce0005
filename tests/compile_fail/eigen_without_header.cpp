// Without <knossos/eigen.hpp>, Eigen objects are refused at compile time, never read
// as contiguous memory (a block or a row has data() and size() but skips elements).
// Eigen is included after knossos here: the refusal must not depend on include order.
// Every kind must give our message, and nothing else: one error per kind. The
// control builds them all with the header.
#include <knossos/knossos.hpp>

#include <Eigen/Core>
#include <vector>
#ifdef KS_CONTROL
#include <knossos/eigen.hpp>
#endif

auto twice = [](auto x) { return x * 2; };

void use(Eigen::MatrixXf& m, Eigen::Matrix<float, 4, 4, Eigen::RowMajor>& r, Eigen::ArrayXXd& a,
         std::vector<float>& v) {
  ks::vmap(twice)(m);
  ks::vmap(twice)(r);
  ks::vmap(twice)(a);
  ks::vmap(twice)(m.block(0, 0, 2, 2));
  ks::vmap(twice)(m.row(1));
  ks::vmap(twice)(r.col(1));
  ks::vmap(twice)(m.transpose());
  ks::vmap(twice)(Eigen::Map<Eigen::VectorXf, 0, Eigen::InnerStride<2>>(m.data(), 8));
  ks::vmap(twice).into(m.col(0), v);
  (void)v;
}
