// An Eigen matrix of int with <knossos/eigen.hpp>: the element-type message, not a
// claim that the header is missing.
#include <knossos/eigen.hpp>
#include <knossos/knossos.hpp>

auto twice = [](auto x) { return x * 2; };

#ifdef KS_CONTROL
using matrix = Eigen::MatrixXd;
#else
using matrix = Eigen::MatrixXi;
#endif

matrix run(matrix const& m) { return ks::vmap(twice)(m); }
