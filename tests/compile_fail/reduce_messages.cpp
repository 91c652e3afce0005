// Reductions check their arguments as vmap does, and name the function the user
// called: ks::sum, ks::mean or ks::reduce, never ks::vmap.
#include <functional>
#include <knossos/knossos.hpp>
#include <vector>
auto f = [](auto x) { return x * x; };
#ifdef KS_CONTROL
std::vector<double> xs{1.0, 2.0};
#elif defined(KS_NOT_ARRAY)
struct point {
  double x;
} xs{1.0};
#else
std::vector<int> xs{1, 2};
#endif
#if defined(KS_MEAN)
auto r = ks::mean(f)(xs);
#elif defined(KS_GRAD_MEAN)
auto r = ks::value_and_grad(ks::mean(f))(xs);
#elif defined(KS_REDUCE)
auto r = ks::reduce(f, std::multiplies<>{})(xs);
#else
auto r = ks::sum(f)(xs);
#endif
