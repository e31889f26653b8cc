#include "api/query.hpp"

#include "core/text.hpp"

namespace socialgate::api {

std::optional<std::vector<std::string_view>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);  // Express tolerates it
  std::vector<std::string_view> parts;
  if (path.empty()) return parts;
  for (;;) {
    const auto slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (part.empty()) return std::nullopt;
    parts.push_back(part);
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

std::vector<QueryPair> QueryParameters(std::string_view query) {
  std::vector<QueryPair> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name = core::FormDecode(pair.substr(0, eq));
    if (name == "ctlivetoken") continue;
    out.push_back({std::move(name),
                   eq == std::string_view::npos ? "" : core::FormDecode(pair.substr(eq + 1))});
  }
  return out;
}

std::string QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name || eq == std::string_view::npos) continue;
    return core::FormDecode(pair.substr(eq + 1));
  }
  return {};
}

bool IsJsonContentType(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view type = value.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return core::EqualsIgnoringAsciiCase(type, "application/json");
}

}  // namespace socialgate::api
