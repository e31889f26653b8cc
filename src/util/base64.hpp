// File: util/base64.hpp
//
// Standard base64 with padding (RFC 4648 section 4; libsodium's ORIGINAL variant), as CTLive's
// and the providers' JSON carry files. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace socialgate::util {

std::string Base64(std::string_view bytes);

}  // namespace socialgate::util
