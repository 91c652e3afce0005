// A program that uses the Eigen adapter: built by the consumer-side packaging tests
// against knossos::eigen (the core target, knossos::knossos, brings no Eigen).
#include <Eigen/Core>
#include <knossos/eigen.hpp>
#include <knossos/knossos.hpp>

int main() {
  Eigen::ArrayXd x(3);
  x << -1.0, 0.5, 2.0;
  Eigen::ArrayXd y = ks::vmap([](auto v) { return v * v; })(x);
  return y(0) == 1.0 && y(1) == 0.25 && y(2) == 4.0 ? 0 : 1;
}
