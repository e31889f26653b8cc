// File: tests/fuzz/basic_auth_fuzzer.cpp
//
// HTTP Basic credential decoding (auth/authenticator.cpp, reached through the public
// Authenticator::BasicUser, which shares DecodeBasic with Authenticate). The input is used twice:
//   1. as a raw Authorization header value: any user name found must come from a "Basic "
//      header and cannot contain ':';
//   2. as the decoded "user:password" pair: base64-encoded behind a "Basic " scheme (in odd case,
//      with blanks around), it must give back exactly the part before the first ':', or nothing
//      when there is no ':' or the credential is over the 1024-byte limit.
// Password checks themselves (argon2id, tens of milliseconds each) are not fuzzed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sodium.h>

#include "auth/authenticator.hpp"

namespace {

using socialgate::auth::Authenticator;

// authenticator.cpp's kMaxCredentialBytes: longer base64 is refused before decoding.
constexpr std::size_t kMaxCredentialBytes = 1024;

[[noreturn]] void Fail(std::string_view what) {
  std::fprintf(stderr, "basic_auth_fuzzer: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

bool StartsWithBasic(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) return false;
  }
  return true;
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The input as the header value.
  const std::string user = Authenticator::BasicUser(input);
  if (!user.empty()) {
    if (!StartsWithBasic(input)) Fail("a user name from a header without the Basic scheme");
    if (user.find(':') != std::string::npos) Fail("a user name containing ':'");
    if (user.size() > input.size()) Fail("a user name longer than the header");
  }

  // 2. The input as the credential.
  const std::string encoded = Base64(input);
  const std::string header = "bAsIc  " + encoded + "  ";
  const auto colon = input.find(':');
  const std::string expected =
      colon != std::string_view::npos && encoded.size() <= kMaxCredentialBytes
          ? std::string(input.substr(0, colon))
          : std::string();
  if (Authenticator::BasicUser(header) != expected)
    Fail("the encoded user name did not round-trip");
  return 0;
}
