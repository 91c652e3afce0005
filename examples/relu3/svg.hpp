// A tiny SVG line plot, so the demo can draw relu3 without a plotting dependency.
#pragma once

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace example {

struct series {
  std::string label;
  std::string color;
  std::vector<double> y;
};

// Writes an SVG of several series over the same x values, with axes and a legend.
inline void write_svg(const std::string& path, const std::vector<double>& x, const std::vector<series>& all,
                      const std::string& title) {
  const double width = 640, height = 420, margin = 48;
  double x0 = x.front(), x1 = x.back();
  double y0 = 0, y1 = 0;
  for (const auto& s : all)
    for (double v : s.y) {
      y0 = std::min(y0, v);
      y1 = std::max(y1, v);
    }
  y0 -= 0.1;
  y1 += 0.1;
  auto px = [&](double v) { return margin + (v - x0) / (x1 - x0) * (width - 2 * margin); };
  auto py = [&](double v) { return height - margin - (v - y0) / (y1 - y0) * (height - 2 * margin); };

  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" font-family=\"sans-serif\">\n",
               width, height);
  std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  std::fprintf(f, "<text x=\"%g\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">%s</text>\n", width / 2,
               title.c_str());
  // Axes through the origin, and tick labels at the integers.
  std::fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#888\"/>\n", px(x0), py(0), px(x1), py(0));
  std::fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#888\"/>\n", px(0), py(y0), px(0), py(y1));
  for (int t = static_cast<int>(x0); t <= static_cast<int>(x1); ++t)
    std::fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n", px(t),
                 py(0) + 14, t);
  for (int t = static_cast<int>(y0); t <= static_cast<int>(y1); ++t)
    if (t != 0)
      std::fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"end\">%d</text>\n", px(0) - 4,
                   py(t) + 4, t);
  int row = 0;
  for (const auto& s : all) {
    std::fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s.color.c_str());
    for (std::size_t i = 0; i < x.size(); ++i) std::fprintf(f, "%.2f,%.2f ", px(x[i]), py(s.y[i]));
    std::fprintf(f, "\"/>\n");
    std::fprintf(f, "<text x=\"%g\" y=\"%g\" font-size=\"13\" fill=\"%s\">%s</text>\n", margin + 8,
                 margin + 16.0 * row++, s.color.c_str(), s.label.c_str());
  }
  std::fprintf(f, "</svg>\n");
  std::fclose(f);
}

}  // namespace example
