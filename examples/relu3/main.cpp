// The relu3 demo: the seed's activation as one generic lambda, its derivative derived
// at compile time, evaluated over a grid, plotted to relu3.svg.
#include <cstdio>
#include <string>
#include <vector>

#include "relu3.hpp"
#include "svg.hpp"

int main(int argc, char** argv) {
  using example::relu3;
  std::string svg_path = argc > 1 ? argv[1] : "relu3.svg";

  std::printf("relu3(x)  = %s\n", ks::to_string(relu3).c_str());
  std::printf("relu3'(x) = %s\n\n", ks::to_string(ks::grad(relu3)).c_str());

  std::printf("%8s %12s %12s\n", "x", "relu3(x)", "relu3'(x)");
  for (double x : {-1.0, -0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0})
    std::printf("%8.3f %12.6f %12.6f\n", x, ks::lift(relu3)(x), ks::grad(relu3)(x));

  // The grid for the plot.
  std::vector<double> xs, ys, dys;
  for (int i = 0; i <= 400; ++i) {
    double x = -1.5 + 4.0 * i / 400;
    xs.push_back(x);
    ys.push_back(ks::lift(relu3)(x));
    dys.push_back(ks::grad(relu3)(x));
  }
  example::write_svg(svg_path, xs, {{"relu3(x)", "#1f77b4", ys}, {"relu3'(x)", "#d62728", dys}},
                     "relu3 and its derivative");
  std::printf("\nwrote %s\n", svg_path.c_str());
}
