#include "store/engine_registry.hpp"

#include <array>

#include "store/postgres/postgres_storage.hpp"
#include "store/sqlite/sqlite_storage.hpp"

namespace socialgate::store {
namespace {

core::Result<StoragePtr> OpenPostgresql(std::string_view rest) {
  return postgres::OpenPostgresUrl("postgresql:" + std::string(rest));
}
core::Result<StoragePtr> OpenPostgres(std::string_view rest) {
  return postgres::OpenPostgresUrl("postgres:" + std::string(rest));
}

constexpr std::array kEngines = {
    EngineEntry{"sqlite", &sqlite::OpenSqliteUrl},
    EngineEntry{"postgresql", &OpenPostgresql},
    EngineEntry{"postgres", &OpenPostgres},
};

}  // namespace

std::span<const EngineEntry> Engines() { return kEngines; }

core::Result<StoragePtr> OpenStorage(std::string_view url) {
  const auto colon = url.find(':');
  const std::string_view scheme = url.substr(0, colon == std::string_view::npos ? 0 : colon);
  std::string known;
  for (const EngineEntry& engine : Engines()) {
    if (colon != std::string_view::npos && engine.scheme == scheme) {
      return engine.open(url.substr(colon + 1));
    }
    known += (known.empty() ? "'" : ", '") + std::string(engine.scheme) + ":'";
  }
  return core::MakeError(
      core::ErrorCode::kInvalidArgument,
      "storage url must start with " + known + " (got '" + std::string(url) + "')");
}

}  // namespace socialgate::store
