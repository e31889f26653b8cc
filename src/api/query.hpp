// File: api/query.hpp
//
// Reading the parts of a request line and its headers that the endpoints route and decide by:
// the path's segments, a query parameter, the Content-Type.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socialgate::api {

// "/livechat/acme/login" -> {"livechat", "acme", "login"}. One trailing '/' is tolerated (as
// Express does); an empty segment anywhere else ("//livechat", "/livechat//acme") or a path
// not starting with '/' gives nullopt: no such endpoint, rather than a folded path that could
// name another.
std::optional<std::vector<std::string_view>> SplitPath(std::string_view path);

// One parameter of a query string, its name and value percent-decoded ('+' a space).
struct QueryPair {
  std::string name;
  std::string value;  // "" for a name without '='
};

// A query string's parameters in order, for the endpoints that take several: empty pairs ("a=1&&b",
// a trailing '&') and the session token (ctlivetoken, authentication's) left out.
std::vector<QueryPair> QueryParameters(std::string_view query);

// The value of `name` in a query string, percent-decoded; "" when absent.
std::string QueryParameter(std::string_view query, std::string_view name);

// Whether a Content-Type header names application/json (parameters such as charset allowed).
bool IsJsonContentType(std::string_view value);

}  // namespace socialgate::api
