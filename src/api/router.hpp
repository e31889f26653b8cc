// File: api/router.hpp
//
// The routing table: (method, path pattern) -> a route's number, and the decision for one
// request line: the route and its path parameters, 404 (no pattern matches the path) or 405 (a
// pattern matches, for other methods only; with the methods that would do, for Allow).
//
// Pattern syntax (what the CTLive livechat family needs, see docs/api.md):
//   "/healthz"                                  literal segments
//   "/livechat/{domain}/messages/{messageId}"   a named parameter: exactly one non-empty segment
//   "/livechat/{domain?}/login"                 an optional parameter (Express's ":domain?"):
//                                               the pattern matches with or without that segment
// Paths are split as SplitPath does (api/query.hpp): one trailing '/' is tolerated, an empty
// segment anywhere else matches nothing. Segments are compared byte for byte (case matters) and
// parameters are not percent-decoded.
//
// When several patterns match a path, the most specific wins: at the first segment where two
// differ, a literal beats a parameter; between equally specific ones, the first added. Methods are
// compared exactly ("GET", not "get"; HEAD is not GET).
//
// Thread safety: Add before use; then Find may be called from many threads at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace socialgate::api {

// A matched route's parameters, by name. Views into the path given to Router::Find.
class PathParams {
 public:
  // The value of `name`, or nullopt when the pattern has no such parameter or an optional one
  // was absent from the path.
  std::optional<std::string_view> Get(std::string_view name) const;

  // Every parameter present, in the pattern's order.
  const std::vector<std::pair<std::string_view, std::string_view>>& All() const { return values_; }

  void Set(std::string_view name, std::string_view value) { values_.emplace_back(name, value); }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> values_;
};

class Router {
 public:
  struct Found {
    std::size_t route = 0;  // what Add returned
    PathParams params;
  };
  struct MethodNotAllowed {
    std::string allow;  // "GET", or "GET, POST" in the order the routes were added
  };
  struct Match {
    std::optional<Found> found;
    std::optional<MethodNotAllowed> not_allowed;  // when not found: 405 rather than 404
  };

  // Adds a route; returns its number (0, 1, 2... in the order added). kInvalidArgument for a
  // pattern that does not start with '/', has an empty segment, an unclosed or empty "{}", or
  // names one parameter twice.
  core::Result<std::size_t> Add(std::string_view method, std::string_view pattern);

  // Decides a request line. The returned params view into `path` (and into this router).
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool parameter = false;
    bool optional = false;
  };
  struct Entry {
    std::string method;
    std::vector<Segment> segments;  // an optional segment already expanded into two entries
    std::size_t route = 0;
  };

  static bool Matches(const Entry& entry, const std::vector<std::string_view>& parts,
                      PathParams* params);
  // Whether `a` is more specific than `b` (a literal where the other has a parameter first).
  static bool MoreSpecific(const Entry& a, const Entry& b);

  std::vector<Entry> entries_;
  std::size_t routes_ = 0;
};

}  // namespace socialgate::api
