// File: util/sha256.hpp
//
// SHA-256 as lower-case hex (libsodium). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace socialgate::util {

std::string Sha256Hex(std::string_view bytes);

}  // namespace socialgate::util
