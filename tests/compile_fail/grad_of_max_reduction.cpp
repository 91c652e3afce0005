#include <knossos/knossos.hpp>
#include <vector>
auto f = [](auto x) { return x * x; };
std::vector<double> xs(10, 1.0);
#ifdef KS_CONTROL
auto v = ks::value_and_grad(ks::sum(f))(xs);  // sums and means are differentiable
#else
auto v = ks::value_and_grad(ks::reduce(f, ks::op_max))(xs);
#endif
