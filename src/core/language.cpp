#include "core/language.hpp"

#include <string_view>
#include <utility>

namespace socialgate::core {
namespace internal {
// Defined in the build directory's language_data.cpp, generated from
// data/template-languages.txt.
extern const std::string_view kTemplateLanguagesData;
}  // namespace internal

namespace {

constexpr std::string_view kBlanks = " \t\r\v\f";

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

LanguageCatalog ParseCatalog(std::string_view data) {
  LanguageCatalog catalog;
  while (!data.empty()) {
    const auto newline = data.find('\n');
    std::string_view line = data.substr(0, newline);
    data = newline == std::string_view::npos ? std::string_view{} : data.substr(newline + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    catalog.Add(std::string(Trim(line)));
  }
  return catalog;
}

}  // namespace

LanguageCatalog LanguageCatalog::Default() {
  // Parsed once (thread-safe static initialisation), copied out so callers may Add() freely.
  static const LanguageCatalog kDefault = ParseCatalog(internal::kTemplateLanguagesData);
  return kDefault;
}

void LanguageCatalog::Add(std::string code) {
  const std::string_view trimmed = Trim(code);
  if (trimmed.empty()) {
    return;
  }
  if (trimmed.size() != code.size()) {
    code = std::string(trimmed);
  }
  codes_.insert(std::move(code));
}

bool LanguageCatalog::Contains(std::string_view code) const { return codes_.contains(code); }

std::size_t LanguageCatalog::size() const { return codes_.size(); }

}  // namespace socialgate::core
