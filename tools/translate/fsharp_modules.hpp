// F# namespaces and modules, for the F# front end: what the file's declarations
// bind, in source order (definitions, nested modules, opens, module abbreviations),
// and what a dotted name used at some point of the file means there. A definition in
// a module is named in the AST by its path ("Logistic.standard"); the emitter makes
// each module a C++ namespace. Docs: docs/translate.md
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ast.hpp"

namespace kst {

class fsharp_modules {
 public:
  /// `namespace A.B` or a first line `module A.B`: the name the file's definitions
  /// have from outside. A file maps to one C++ namespace, so a second, different
  /// one is refused.
  void declare_file_name(std::string const& name, loc where);
  /// `module M =`: what follows, until leave(), is M's. An [<AutoOpen>] module is
  /// opened in the enclosing one when it ends.
  void enter(std::string const& name, loc where, bool auto_open);
  void leave();
  /// `open A.B`: a module of the file is opened; others (System, ...) change nothing.
  void open(std::string const& spelled);
  /// `module M = A.B`: M stands for that module (of the file, or not: M.Exp is A.B.Exp).
  void abbreviate(std::string const& name, std::string const& spelled);
  /// A let of the current module, after its body: its AST name (qualified by the
  /// enclosing modules). The uses noted while its body was parsed stay with it.
  std::string define(std::string const& name, loc where, bool is_function);

  /// The AST name of a global name used here (an earlier definition), or the
  /// spelling itself (a vocabulary function, or something unknown: noted, for the
  /// message if it turns out to be defined later).
  std::string resolve(std::string const& spelled);

  /// Names that meant nothing where they were used but name a later definition (or
  /// the function itself) get its AST name, so the emitter says "defined later" or
  /// "recursion" instead of "unknown function".
  void name_later_definitions(module& m) const;

 private:
  enum class kind : unsigned char { definition, module, open, alias };
  struct entry {
    kind what;
    std::vector<std::string> scope;  // the module it is declared in (empty: the top level)
    std::string name;                // what it binds (not for open)
    std::string target;              // definition: its AST name; module, open: a module's path; alias: a spelling
    loc where;
  };
  struct found {
    std::size_t position;  // of the entry that made it visible
    std::string target;
    bool outside = false;  // an abbreviation of something outside the file
  };
  // Where a definition is, for its body's names that meant nothing where they were used.
  struct site {
    std::vector<std::string> scope;
    std::set<std::string> unresolved;
  };

  bool visible(entry const& e, std::vector<std::string> const& scope) const;
  std::optional<found> lookup(std::string const& name, bool module, std::vector<std::string> const& scope,
                              std::size_t upto) const;
  std::optional<found> find_module(std::vector<std::string> const& parts, std::size_t count,
                                   std::vector<std::string> const& scope, std::size_t upto) const;
  std::optional<std::string> resolve_at(std::string const& spelled, std::vector<std::string> const& scope,
                                        std::size_t upto) const;
  bool defined(std::map<std::string, std::size_t> const& table, std::string const& key, std::size_t upto) const;
  void add(kind what, std::string name, std::string target, loc where);

  std::vector<entry> entries_;
  std::map<std::string, std::vector<std::size_t>> named_;  // name -> entries binding it
  std::vector<std::size_t> opens_;
  std::map<std::string, std::vector<std::string>> auto_opened_;  // module path -> its [<AutoOpen>] modules
  std::map<std::string, std::size_t> definitions_, modules_;  // AST name or path -> first entry
  std::vector<std::string> path_;
  std::vector<bool> auto_open_;
  std::vector<std::vector<std::string>> file_names_;  // the parts of the file's name (A.B), and its last part (B)
  std::string file_name_;
  loc file_name_where_;
  std::set<std::string> unresolved_;  // of the definition being parsed
  std::vector<site> function_sites_, constant_sites_;
};

}  // namespace kst
