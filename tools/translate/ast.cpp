#include <sstream>

#include "ast.hpp"

namespace kst {

expr::~expr() {
  std::vector<expr_ptr> work = std::move(args);
  while (!work.empty()) {
    expr_ptr e = std::move(work.back());
    work.pop_back();
    if (!e) continue;  // moved from
    for (auto& a : e->args) work.push_back(std::move(a));
    e->args.clear();
  }
}

namespace {

char const* name_of(binary_op op) {
  static constexpr char const* names[] = {"add", "sub", "mul", "div", "floor_div", "trunc_div",
                                          "mod_floor", "mod_trunc", "pow"};
  return names[static_cast<int>(op)];
}

char const* name_of(compare_op op) {
  static constexpr char const* names[] = {"<", "<=", ">", ">=", "==", "!="};
  return names[static_cast<int>(op)];
}

bool is_chain(expr const& e) {
  return e.kind == expr_kind::binary || e.kind == expr_kind::and_ || e.kind == expr_kind::or_;
}

std::string head(expr const& e) {
  if (e.kind == expr_kind::and_) return "and";
  if (e.kind == expr_kind::or_) return "or";
  return name_of(e.bop);
}

void print(std::ostream& out, expr const& e) {
  switch (e.kind) {
    case expr_kind::number: out << e.text; return;
    case expr_kind::boolean: out << (e.int_value ? "true" : "false"); return;
    case expr_kind::name: out << e.name; return;
    case expr_kind::compare:
      out << "(compare ";
      print(out, *e.args[0]);
      for (std::size_t i = 0; i < e.cmp.size(); ++i) {
        out << ' ' << name_of(e.cmp[i]) << ' ';
        print(out, *e.args[i + 1]);
      }
      out << ')';
      return;
    case expr_kind::binary:
    case expr_kind::and_:
    case expr_kind::or_: {
      // Along the left spine without recursion: a long sum is deep only there.
      std::vector<expr const*> spine{&e};
      while (is_chain(*spine.back()->args[0])) spine.push_back(spine.back()->args[0].get());
      for (expr const* n : spine) out << '(' << head(*n) << ' ';
      print(out, *spine.back()->args[0]);
      for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
        out << ' ';
        print(out, *(*it)->args[1]);
        out << ')';
      }
      return;
    }
    case expr_kind::unary: out << (e.op_char == '-' ? "(neg " : "(pos "); break;
    case expr_kind::not_: out << "(not "; break;
    case expr_kind::if_exp: out << "(if "; break;
    case expr_kind::call: out << "(call " << e.name << (e.args.empty() ? "" : " "); break;
  }
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    if (i) out << ' ';
    if (i < e.kwnames.size() && !e.kwnames[i].empty()) out << e.kwnames[i] << '=';
    print(out, *e.args[i]);
  }
  out << ')';
}

void print(std::ostream& out, std::vector<stmt> const& body, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  for (stmt const& s : body) {
    out << pad;
    switch (s.kind) {
      case stmt_kind::assign:
        out << "(assign " << s.target << ' ';
        print(out, *s.value);
        out << ")\n";
        break;
      case stmt_kind::return_:
        out << "(return ";
        print(out, *s.value);
        out << ")\n";
        break;
      case stmt_kind::if_:
        out << "(if ";
        print(out, *s.cond);
        out << '\n';
        print(out, s.then_body, indent + 2);
        if (!s.else_body.empty()) {
          out << pad << " else\n";
          print(out, s.else_body, indent + 2);
        }
        out << pad << ")\n";
        break;
    }
  }
}

}  // namespace

std::vector<std::string> bound_names(function const& f) {
  std::vector<std::string> names;
  for (param const& p : f.params) names.push_back(p.name);
  for_each_stmt(f.body, [&](stmt const& s) {
    if (s.kind == stmt_kind::assign) names.push_back(s.target);
  });
  return names;
}

std::vector<std::string> name_parts(std::string const& name) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    std::size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string dump(module const& m) {
  std::ostringstream out;
  for (constant const& c : m.constants) {
    out << "(constant " << c.name << ' ';
    print(out, *c.value);
    out << ")  ; line " << c.where.line << "\n";
  }
  for (function const& f : m.functions) {
    out << "(function " << f.name << " (";
    for (std::size_t i = 0; i < f.params.size(); ++i) {
      out << (i ? " " : "") << f.params[i].name;
      if (f.params[i].default_value) {
        out << '=';
        print(out, *f.params[i].default_value);
      }
    }
    out << ")  ; line " << f.where.line << "\n";
    print(out, f.body, 2);
    out << ")\n";
  }
  return out.str();
}

}  // namespace kst
