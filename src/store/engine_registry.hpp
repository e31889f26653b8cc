// File: store/engine_registry.hpp
//
// The storage engines, by URL scheme: the one place an engine is added (one line in
// engine_registry.cpp). OpenStorage (storage.hpp) picks the opener of the URL's scheme.
//
//   sqlite:PATH             relative to the working directory; sqlite:///absolute/path;
//                           sqlite::memory: (tests)
//   postgresql://user@host:port/database?param=value   libpq's URL (also postgres://), with
//                           its parameters (sslmode...), PGPASSWORD and ~/.pgpass; no password
//                           in the URL (postgres/postgres_storage.hpp)
#pragma once

#include <span>
#include <string_view>

#include "core/error.hpp"
#include "store/storage.hpp"

namespace socialgate::store {

struct EngineEntry {
  std::string_view scheme;  // without the colon, e.g. "sqlite"
  // Opens the store at `rest`: the URL after "scheme:".
  core::Result<StoragePtr> (*open)(std::string_view rest);
};

// Every engine this build knows, in the order error messages name them.
std::span<const EngineEntry> Engines();

}  // namespace socialgate::store
