#include <string>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace socialgate::store {

core::Result<StorePtr> OpenStore(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.substr(0, kSqlite.size()) == kSqlite) {
    std::string path(url.substr(kSqlite.size()));
    // Accept "sqlite:///abs/path" as well as "sqlite:relative/path".
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "storage url 'sqlite:' needs a path, e.g. sqlite:var/socialgate.db");
    }
    return sqlite::OpenSqliteStore(path);
  }
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "storage url must start with 'sqlite:' (got '" + std::string(url) + "')");
}

}  // namespace socialgate::store
