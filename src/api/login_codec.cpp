#include "api/login_codec.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <simdjson.h>

#include "api/json_body.hpp"

namespace socialgate::api {
namespace {

namespace dom = simdjson::dom;

core::Error LoginMalformed(std::string message) {
  return core::Error{core::ErrorCode::kMalformed, std::move(message), {}};
}

}  // namespace

core::Result<LoginRequest> DecodeLoginRequest(std::string body) {
  dom::parser parser;
  if (parser.allocate(std::max<std::size_t>(body.size(), 64), kMaxJsonDepth) != simdjson::SUCCESS) {
    return core::MakeError(core::ErrorCode::kUnavailable, "the gateway is out of memory",
                           "allocating a JSON parser for a login body");
  }
  SG_ASSIGN_OR_RETURN(auto parsed, ParseJsonBody(parser, body));
  const dom::element root = parsed;
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return tl::unexpected(
        LoginMalformed("body: must be a JSON object {\"username\": string, \"password\": string}"));
  }
  LoginRequest login;
  struct Field {
    std::string_view name;
    std::string* out;
    std::size_t max_bytes;
    bool seen = false;
  };
  std::array<Field, 2> fields{{{"username", &login.username, kMaxUserNameBytes},
                               {"password", &login.password, kMaxPasswordBytes}}};
  for (auto [key, value] : obj) {
    for (auto& f : fields) {
      if (key != f.name) continue;
      const std::string name(f.name);
      if (f.seen) return tl::unexpected(LoginMalformed(name + ": appears more than once"));
      f.seen = true;
      std::string_view text;
      if (value.get(text) != simdjson::SUCCESS) {
        return tl::unexpected(LoginMalformed(name + ": must be a string"));
      }
      if (text.size() > f.max_bytes) {
        return tl::unexpected(
            LoginMalformed(name + ": is longer than " + std::to_string(f.max_bytes) + " bytes"));
      }
      *f.out = std::string(text);
    }
  }
  for (const auto& f : fields) {
    if (!f.seen) return tl::unexpected(LoginMalformed(std::string(f.name) + ": is required"));
  }
  return login;
}

}  // namespace socialgate::api
