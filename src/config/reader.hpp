// File: config/reader.hpp
//
// How the configuration's TOML is read (config.cpp and its parts): a Reader whose every error
// names the file and the key path, so a typo is found at start-up instead of becoming a silent
// default; and secrets, which are read from an environment variable or a file the TOML names,
// never from the TOML itself. Internal to the config module.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/error.hpp"

namespace socialgate::config {

inline constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Reads a TOML tree with every error naming the key path.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  core::Error Fail(const std::string& key, const std::string& rule) const {
    return core::Error{core::ErrorCode::kInvalidArgument, source_ + ": " + key + ": " + rule, {}};
  }

  core::Result<void> OnlyKeys(const toml::table& table, const std::string& where,
                              std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : table) {
      (void)value;
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        const std::string path =
            where.empty() ? std::string(key.str()) : where + "." + std::string(key.str());
        return tl::unexpected(Fail(path, "unknown key"));
      }
    }
    return {};
  }

  core::Result<void> String(const toml::table& t, const std::string& where, std::string_view key,
                            std::string& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return {};
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) return tl::unexpected(Fail(Path(where, key), "must be a string"));
    out = *v;
    return {};
  }

  template <class Int>
  core::Result<void> Integer(const toml::table& t, const std::string& where, std::string_view key,
                             Int& out, std::int64_t min, std::int64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return {};
    if (!n->is_integer()) return tl::unexpected(Fail(Path(where, key), "must be an integer"));
    const std::int64_t v = *n->value<std::int64_t>();
    if (v < min || v > max) {
      return tl::unexpected(Fail(Path(where, key), "must be between " + std::to_string(min) +
                                                       " and " + std::to_string(max)));
    }
    out = static_cast<Int>(v);
    return {};
  }

  core::Result<void> Number(const toml::table& t, const std::string& where, std::string_view key,
                            double& out, double min, double max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return {};
    if (!n->is_number()) return tl::unexpected(Fail(Path(where, key), "must be a number"));
    const double v =
        n->is_integer() ? static_cast<double>(*n->value<std::int64_t>()) : *n->value<double>();
    if (v < min || v > max) {
      return tl::unexpected(Fail(Path(where, key), "must be between " + std::to_string(min) +
                                                       " and " + std::to_string(max)));
    }
    out = v;
    return {};
  }

  core::Result<void> Millis(const toml::table& t, const std::string& where, std::string_view key,
                            std::chrono::milliseconds& out, std::int64_t max_ms) const {
    std::int64_t v = out.count();
    SG_RETURN_IF_ERROR(Integer(t, where, key, v, 0, max_ms));
    out = std::chrono::milliseconds(v);
    return {};
  }

  static std::string Path(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
  }

 private:
  std::string source_;
};

// The secret `<name>_env` or `<name>_file` of the table `t` at `where` names (exactly one of the
// two): the environment variable's value, or the file's first line without trailing spaces and
// CR. `source` becomes "env:NAME" or "file:PATH", for messages that must not show the secret.
core::Result<void> ReadSecret(const Reader& r, const toml::table& t, const std::string& where,
                              std::string_view name, std::string& secret, std::string& source);

}  // namespace socialgate::config
