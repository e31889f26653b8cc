// File: tests/unit/auth/auth_fixture.hpp
//
// What the auth tests share: a store in memory, an Authenticator on it, one argon2id hash of
// kSecret made once per suite (hashing takes a while), domains whose users and API token have
// that secret, and the Authorization header a client sends for Basic credentials.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "store/storage.hpp"
#include "util/clock.hpp"

namespace socialgate::auth {

// "Basic " + base64(user:password).
inline std::string Basic(const std::string& user_colon_password) {
  std::vector<char> out(
      sodium_base64_ENCODED_LEN(user_colon_password.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_colon_password.data()),
                    user_colon_password.size(), sodium_base64_VARIANT_ORIGINAL);
  return "Basic " + std::string(out.data());
}

class AuthFixture : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "s3cret:with colon";

  static void SetUpTestSuite() {
    ASSERT_GE(sodium_init(), 0);
    auto hash = HashSecret(kSecret);
    ASSERT_TRUE(hash);
    hash_ = std::make_unique<std::string>(*hash);
  }
  static void TearDownTestSuite() { hash_.reset(); }

  void SetUp() override {
    auto s = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(s);
    storage_ = std::move(*s);
    authenticator_ = std::make_unique<Authenticator>(storage_->sessions(), kCacheTtl, clock_);
  }

  // Users alice (any number) and limited (one number), and the API token, all with kSecret.
  static config::Domain Domain(const std::string& name) {
    config::Domain d;
    d.name = name;
    d.users.push_back(config::User{"alice", *hash_, {}});
    d.users.push_back(config::User{"limited", *hash_, {"3902124122690"}});
    d.api_token_hash = *hash_;  // the same secret, to save a second argon2id hash
    return d;
  }

  static inline std::unique_ptr<std::string> hash_;
  store::StoragePtr storage_;
  static constexpr std::chrono::seconds kCacheTtl{300};
  util::ManualClock clock_;  // the authenticator's: sessions expire and remembered checks end
  std::unique_ptr<Authenticator> authenticator_;
};

}  // namespace socialgate::auth
