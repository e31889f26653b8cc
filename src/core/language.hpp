// File: core/language.hpp
//
// LanguageCatalog: the set of WhatsApp template language codes the gateway accepts in the
// `language` field. Default() holds Meta's published "Supported Languages" list for message
// templates (data/template-languages.txt, compiled into the binary); the config can Add() codes
// Meta introduces before the gateway is rebuilt. Matching is exact and case-sensitive, as Meta's
// is: "en_GB" is a code, "en_gb" and "en-GB" are not.
//
//   LanguageCatalog languages = LanguageCatalog::Default();
//   languages.Add("xx_YY");                // from the config
//   languages.Contains("en_GB");           // true
//
// Thread safety: const methods may be called from many threads at once; Add() must not run
// concurrently with anything else (build the catalog at start-up, then share it read-only).
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace socialgate::core {

class LanguageCatalog {
 public:
  // An empty catalog; most callers want Default().
  LanguageCatalog() = default;

  // Meta's list, parsed once from the embedded data file; each call returns a copy.
  static LanguageCatalog Default();

  // Adds `code` as given (surrounding blanks are trimmed; an empty code is ignored).
  void Add(std::string code);

  bool Contains(std::string_view code) const;
  std::size_t size() const;

 private:
  std::set<std::string, std::less<>> codes_;  // std::less<> allows lookup by string_view
};

}  // namespace socialgate::core
