#include "config/reader.hpp"

#include <cstdlib>
#include <fstream>

namespace socialgate::config {

core::Result<void> ReadSecret(const Reader& r, const toml::table& t, const std::string& where,
                              std::string_view name, std::string& secret, std::string& source) {
  const std::string env_key = std::string(name) + "_env";
  const std::string file_key = std::string(name) + "_file";
  std::string env_name;
  std::string file_path;
  SG_RETURN_IF_ERROR(r.String(t, where, env_key, env_name));
  SG_RETURN_IF_ERROR(r.String(t, where, file_key, file_path));
  if (env_name.empty() == file_path.empty()) {
    return tl::unexpected(r.Fail(where, "needs exactly one of " + env_key + " or " + file_key +
                                            " (never the " + std::string(name) + " itself)"));
  }
  if (!env_name.empty()) {
    // Read once at start-up, before any thread is started.
    const char* value = std::getenv(env_name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0') {
      return tl::unexpected(
          r.Fail(Reader::Path(where, env_key), "environment variable " + env_name + " is not set"));
    }
    secret = value;
    source = "env:" + env_name;
    return {};
  }
  std::ifstream in(file_path, std::ios::binary);
  if (!in) {
    return tl::unexpected(r.Fail(Reader::Path(where, file_key), "cannot read '" + file_path + "'"));
  }
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.empty()) {
    return tl::unexpected(
        r.Fail(Reader::Path(where, file_key), "'" + file_path + "' holds no " + std::string(name)));
  }
  source = "file:" + file_path;
  return {};
}

}  // namespace socialgate::config
