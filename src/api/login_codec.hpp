// File: api/login_codec.hpp
//
// The login endpoint's JSON body: {"username": string, "password": string}. Each field once
// (a repeated key is refused, as in every request body: which copy a reader takes differs
// between parsers), within a length limit; other fields are ignored. Errors are kMalformed and
// name the field: "username: appears more than once".
//
// Thread safety: safe from many threads.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"

namespace socialgate::api {

struct LoginRequest {
  std::string username;
  std::string password;
};

inline constexpr std::size_t kMaxUserNameBytes = 256;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

core::Result<LoginRequest> DecodeLoginRequest(std::string body);

}  // namespace socialgate::api
