#include "fsharp_modules.hpp"

#include <algorithm>
#include <unordered_set>

#include "names.hpp"

namespace kst {
namespace {

// `name` inside the module at `path` ("" is the top level).
std::string qualify(std::string const& path, std::string const& name) { return path.empty() ? name : path + "." + name; }

std::string join(std::vector<std::string> const& parts, std::size_t from = 0, std::size_t to = std::string::npos) {
  std::string out;
  for (std::size_t i = from; i < std::min(to, parts.size()); ++i) out = qualify(out, parts[i]);
  return out;
}

}  // namespace

void fsharp_modules::declare_file_name(std::string const& name, loc where) {
  if (file_name_where_.line != 0) {
    if (name == file_name_) return;
    throw error(where, "a second namespace or module name in one file is not supported (the file becomes one C++ namespace, "
                       "'" + file_name_ + "' at line " + std::to_string(file_name_where_.line) + "); put '" + name +
                       "' in a file of its own");
  }
  file_name_ = name;
  file_name_where_ = where;
  if (name.empty()) return;
  file_names_.push_back(name_parts(name));
  if (file_names_[0].size() > 1) file_names_.push_back({file_names_[0].back()});
}

void fsharp_modules::add(kind what, std::string name, std::string target, loc where) {
  entries_.push_back({what, path_, std::move(name), std::move(target), where});
  if (what == kind::open) opens_.push_back(entries_.size() - 1);
  else named_[entries_.back().name].push_back(entries_.size() - 1);
}

void fsharp_modules::enter(std::string const& name, loc where, bool auto_open) {
  std::string path = qualify(join(path_), name);
  if (auto it = modules_.find(path); it != modules_.end())
    throw error(where, "module '" + name + "' is already defined at line " + std::to_string(entries_[it->second].where.line));
  add(kind::module, name, path, where);
  modules_.emplace(path, entries_.size() - 1);
  path_.push_back(name);
  auto_open_.push_back(auto_open);
}

void fsharp_modules::leave() {
  std::string path = join(path_);
  bool auto_open = auto_open_.back();
  path_.pop_back();
  auto_open_.pop_back();
  if (!auto_open) return;
  add(kind::open, {}, path, entries_[modules_.at(path)].where);
  auto_opened_[join(path_)].push_back(path);
}

void fsharp_modules::open(std::string const& spelled) {
  std::vector<std::string> parts = name_parts(spelled);
  std::optional<found> m = find_module(parts, parts.size(), path_, entries_.size());
  if (m && !m->outside && !m->target.empty()) add(kind::open, {}, m->target, {});
}

void fsharp_modules::abbreviate(std::string const& name, std::string const& spelled) {
  std::vector<std::string> parts = name_parts(spelled);
  std::optional<found> m = find_module(parts, parts.size(), path_, entries_.size());
  if (!m) return add(kind::alias, name, spelled, {});
  add(m->outside ? kind::alias : kind::module, name, m->target, {});
}

std::string fsharp_modules::define(std::string const& name, loc where, bool is_function) {
  std::string key = qualify(join(path_), name);
  (is_function ? function_sites_ : constant_sites_).push_back({path_, std::move(unresolved_)});
  unresolved_.clear();
  add(kind::definition, name, key, where);
  definitions_.emplace(key, entries_.size() - 1);
  return key;
}

std::string fsharp_modules::resolve(std::string const& spelled) {
  if (std::optional<std::string> key = resolve_at(spelled, path_, entries_.size())) return *key;
  unresolved_.insert(spelled);
  return spelled;
}

bool fsharp_modules::visible(entry const& e, std::vector<std::string> const& scope) const {
  return e.scope.size() <= scope.size() && std::equal(e.scope.begin(), e.scope.end(), scope.begin());
}

bool fsharp_modules::defined(std::map<std::string, std::size_t> const& table, std::string const& key,
                             std::size_t upto) const {
  auto it = table.find(key);
  return it != table.end() && it->second < upto;
}

// The latest of what binds `name` where `scope` sees it among the first `upto`
// entries: a definition or a module (an abbreviation too), directly or through an open.
std::optional<fsharp_modules::found> fsharp_modules::lookup(std::string const& name, bool module,
                                                            std::vector<std::string> const& scope,
                                                            std::size_t upto) const {
  std::optional<found> best;
  if (auto it = named_.find(name); it != named_.end()) {
    for (auto i = it->second.rbegin(); i != it->second.rend(); ++i) {
      entry const& e = entries_[*i];
      if (*i >= upto || !visible(e, scope) || (e.what != kind::definition) != module) continue;
      best = found{*i, e.target, e.what == kind::alias};
      break;
    }
  }
  for (auto i = opens_.rbegin(); i != opens_.rend(); ++i) {
    if (best && *i < best->position) break;
    entry const& e = entries_[*i];
    if (*i >= upto || !visible(e, scope)) continue;
    // Opening a module opens its [<AutoOpen>] modules too.
    std::vector<std::string> opened{e.target};
    for (std::size_t k = 0; k < opened.size(); ++k) {
      std::string target = qualify(opened[k], name);
      if (defined(module ? modules_ : definitions_, target, upto)) return found{*i, target, false};
      if (auto it = auto_opened_.find(opened[k]); it != auto_opened_.end())
        for (std::string const& child : it->second)
          if (defined(modules_, child, upto)) opened.push_back(child);
    }
  }
  return best;
}

// The module that the first `count` parts name: from the file's own name, or by
// lookup of the first part and then down its nested modules.
std::optional<fsharp_modules::found> fsharp_modules::find_module(std::vector<std::string> const& parts, std::size_t count,
                                                                 std::vector<std::string> const& scope,
                                                                 std::size_t upto) const {
  auto nested = [&](found f, std::size_t from) -> std::optional<found> {
    for (std::size_t i = from; i < count; ++i) {
      f.target = qualify(f.target, parts[i]);
      if (!f.outside && !defined(modules_, f.target, upto)) return std::nullopt;
    }
    return f;
  };
  for (auto const& name : file_names_) {
    if (count < name.size() || !std::equal(name.begin(), name.end(), parts.begin())) continue;
    if (auto f = nested(found{0, {}, false}, name.size())) return f;
  }
  if (count == 0) return std::nullopt;
  std::optional<found> first = lookup(parts[0], true, scope, upto);
  if (!first) return std::nullopt;
  return nested(*first, 1);
}

std::optional<std::string> fsharp_modules::resolve_at(std::string const& spelled, std::vector<std::string> const& scope,
                                                      std::size_t upto) const {
  std::vector<std::string> parts = name_parts(spelled);
  if (parts.size() > 1) {
    // Qualified from the file's name first (Stats.Logistic.standard), then by lookup.
    for (auto const& name : file_names_) {
      if (parts.size() <= name.size() || !std::equal(name.begin(), name.end(), parts.begin())) continue;
      std::string path = join(parts, name.size(), parts.size() - 1);
      std::string key = qualify(path, parts.back());
      if ((path.empty() || defined(modules_, path, upto)) && defined(definitions_, key, upto)) return key;
    }
    std::optional<found> m = find_module(parts, parts.size() - 1, scope, upto);
    if (!m) return std::nullopt;
    std::string key = qualify(m->target, parts.back());
    if (m->outside || defined(definitions_, key, upto)) return key;
    return std::nullopt;
  }
  if (std::optional<found> f = lookup(spelled, false, scope, upto)) return f->target;
  return std::nullopt;
}

void fsharp_modules::name_later_definitions(module& m) const {
  auto rename = [&](site const& s, std::unordered_set<std::string> const& locals, expr& e) {
    if ((e.kind != expr_kind::name && e.kind != expr_kind::call) || !s.unresolved.contains(e.name) || locals.contains(e.name))
      return;
    bool is_call = e.kind == expr_kind::call;
    // A vocabulary function keeps its meaning, even if the file defines the name later.
    if (find_alias(language::fsharp, e.name, is_call ? static_cast<int>(e.args.size()) : 1) ||
        (!is_call && find_constant(language::fsharp, e.name)))
      return;
    if (std::optional<std::string> key = resolve_at(e.name, s.scope, entries_.size())) e.name = *key;
  };
  for (std::size_t i = 0; i < m.functions.size() && i < function_sites_.size(); ++i) {
    site const& s = function_sites_[i];
    if (s.unresolved.empty()) continue;
    std::vector<std::string> bound = bound_names(m.functions[i]);
    std::unordered_set<std::string> locals(bound.begin(), bound.end());
    for_each_expr(m.functions[i].body, [&](expr& root) { for_each_node(root, [&](expr& e) { rename(s, locals, e); }); });
  }
  for (std::size_t i = 0; i < m.constants.size() && i < constant_sites_.size(); ++i) {
    if (constant_sites_[i].unresolved.empty()) continue;
    for_each_node(*m.constants[i].value, [&](expr& e) { rename(constant_sites_[i], {}, e); });
  }
}

}  // namespace kst
