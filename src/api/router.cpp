#include "api/router.hpp"

#include <algorithm>

#include "api/query.hpp"

namespace socialgate::api {

std::optional<std::string_view> PathParams::Get(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

core::Result<std::size_t> Router::Add(std::string_view method, std::string_view pattern) {
  const auto invalid = [pattern](std::string_view why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "route pattern '" + std::string(pattern) + "': " + std::string(why));
  };
  const auto parts = SplitPath(pattern);
  if (!parts) return invalid("must start with '/' and have no empty segment");
  std::vector<Segment> segments;
  for (std::string_view part : *parts) {
    Segment s;
    if (part.front() == '{') {
      if (part.size() < 3 || part.back() != '}') return invalid("a parameter is '{name}'");
      part = part.substr(1, part.size() - 2);
      if (part.back() == '?') {
        s.optional = true;
        part.remove_suffix(1);
      }
      if (part.empty() || part.find_first_of("{}?") != std::string_view::npos) {
        return invalid("a parameter is '{name}' or '{name?}'");
      }
      const bool repeated = std::any_of(segments.begin(), segments.end(), [part](const Segment& o) {
        return o.parameter && o.text == part;
      });
      if (repeated) return invalid("names a parameter twice");
      s.parameter = true;
    } else if (part.find_first_of("{}") != std::string_view::npos) {
      return invalid("a literal segment has no '{' or '}'");
    }
    s.text = std::string(part);
    segments.push_back(std::move(s));
  }
  // Each optional parameter doubles the entries: with the segment and without it.
  std::vector<std::vector<Segment>> expanded{{}};
  for (const Segment& s : segments) {
    const std::size_t n = expanded.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (s.optional) expanded.push_back(expanded[i]);  // the one without
      expanded[i].push_back(s);
    }
  }
  const std::size_t route = routes_++;
  for (auto& e : expanded) entries_.push_back(Entry{std::string(method), std::move(e), route});
  return route;
}

bool Router::Matches(const Entry& entry, const std::vector<std::string_view>& parts,
                     PathParams* params) {
  if (entry.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!entry.segments[i].parameter && entry.segments[i].text != parts[i]) return false;
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (entry.segments[i].parameter) params->Set(entry.segments[i].text, parts[i]);
    }
  }
  return true;
}

bool Router::MoreSpecific(const Entry& a, const Entry& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].parameter != b.segments[i].parameter) return !a.segments[i].parameter;
  }
  return false;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  const auto parts = SplitPath(path);
  if (!parts) return match;
  const Entry* best = nullptr;
  std::vector<std::string_view> allowed;
  for (const Entry& e : entries_) {
    if (!Matches(e, *parts, nullptr)) continue;
    if (e.method == method) {
      if (best == nullptr || MoreSpecific(e, *best)) best = &e;
    } else if (std::find(allowed.begin(), allowed.end(), e.method) == allowed.end()) {
      allowed.push_back(e.method);
    }
  }
  if (best != nullptr) {
    Found found;
    found.route = best->route;
    Matches(*best, *parts, &found.params);
    match.found = std::move(found);
    return match;
  }
  if (allowed.empty()) return match;
  std::string allow;
  for (const auto m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  match.not_allowed = MethodNotAllowed{std::move(allow)};
  return match;
}

}  // namespace socialgate::api
