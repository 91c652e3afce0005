// Built with single_include/ as the only knossos include path: the amalgamation and
// the Eigen adapters beside it.
#include <knossos/eigen.hpp>
#include <knossos/eigen_tensor.hpp>
#include <knossos/knossos.hpp>

inline constexpr auto relu3 = [](auto x) {
  return ks::select(x < 0, 0, ks::select(x < 1, x * x * x / 3, x - 2.0 / 3));
};
static_assert(ks::grad(relu3)(0.5) == 0.25);

int main() {
  Eigen::MatrixXd m(3, 3);
  for (int i = 0; i < 9; ++i) m.data()[i] = i - 1.0;  // -1, 0, ..., 7 down the columns
  Eigen::RowVectorXd r = ks::vmap(relu3)(m.row(1));   // 0, 3, 6: strided, not 0, 1, 2
  Eigen::Tensor<double, 1> t(2);
  t.setValues({-1.0, 2.0});
  Eigen::Tensor<double, 1> rt = ks::vmap(relu3)(t);
  bool ok = r(0) == 0.0 && r(1) == 3.0 - 2.0 / 3 && r(2) == 6.0 - 2.0 / 3 && rt(0) == 0.0 && rt(1) == 2.0 - 2.0 / 3;
  return ok && ks::lift(relu3)(2.0) == 2.0 - 2.0 / 3 ? 0 : 1;
}
