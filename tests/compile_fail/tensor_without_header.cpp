// An Eigen::Tensor without <knossos/eigen_tensor.hpp>: refused, naming the header.
#include <knossos/knossos.hpp>

#include <unsupported/Eigen/CXX11/Tensor>
#ifdef KS_CONTROL
#include <knossos/eigen_tensor.hpp>
#endif

auto twice = [](auto x) { return x * 2; };

void use(Eigen::Tensor<float, 3> const& t) { ks::vmap(twice)(t); }
