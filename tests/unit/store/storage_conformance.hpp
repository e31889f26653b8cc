// File: tests/unit/store/storage_conformance.hpp
//
// The conformance suite's fixture, shared by its files: the engines it runs on (one line per
// engine in kEngines), a test's own database, and a sample message. The suite is instantiated
// once, in storage_conformance_test.cpp; every file's TEST_P(StorageConformanceTest, ...) runs
// on every engine.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/storage.hpp"
#include "support/postgres_test_database.hpp"
#include "support/sample_message.hpp"
#include "support/sync_store.hpp"

namespace socialgate::store {

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kLease = 60'000;

// A test's own database: a file in its temporary directory, SQLite's memory, or a fresh
// PostgreSQL database on the test run's cluster (dropped after the test).
struct TestDatabase {
  std::string url;
  std::unique_ptr<testing::PostgresTestDatabase> postgres;
};

// How the suite opens an engine.
struct Engine {
  const char* name;
  // The engine's database for a test, given `dir` (a fresh temporary directory per test,
  // removed after it). Opening its URL again reaches the same database when `persists`;
  // otherwise each open is a database of its own.
  std::function<TestDatabase(const std::string& dir)> database;
  bool persists;
};

// How GoogleTest prints a parameter (its name instead of the struct's bytes).
inline void PrintTo(const Engine& engine, std::ostream* out) { *out << engine.name; }

inline const Engine kEngines[] = {
    {"SqliteFile",
     [](const std::string& dir) {
       return TestDatabase{"sqlite:" + dir + "/db.sqlite", nullptr};
     },
     true},
    {"SqliteMemory",
     [](const std::string&) {
       return TestDatabase{"sqlite::memory:", nullptr};
     },
     false},
    {"Postgres",
     [](const std::string&) {
       auto db = std::make_unique<testing::PostgresTestDatabase>();
       std::string url = db->url();
       return TestDatabase{std::move(url), std::move(db)};
     },
     true},
};

inline NewMessage Sample(const std::string& id, bool with_media = false) {
  NewMessage m = testing::SampleMessage(id, kNow);
  testing::Template(m.message).header_params = {"Griffin"};
  testing::Template(m.message).body_params = {"5", "quote \" and unicode \xC3\xA9"};
  testing::Template(m.message).url_params = {"contact-highway/"};
  if (with_media) {
    core::MediaHeader h;
    h.kind = core::MediaKind::kDocument;
    h.mime_type = "application/pdf";
    h.document_type = "pdf";
    h.file_name = "invoice.pdf";
    h.bytes = std::string("%PDF-1.4\0binary\xff", 16);
    testing::Template(m.message).header = h;
  }
  return m;
}

class StorageConformanceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sg-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    database_ = GetParam().database(dir_);
    ASSERT_FALSE(database_.url.empty());
    Open();
  }
  void TearDown() override {
    storage_.reset();
    database_.postgres.reset();
    std::filesystem::remove_all(dir_);
  }
  // Opens the test's database (again: a new one, for an engine that does not persist).
  void Open() {
    storage_.reset();
    auto s = OpenStorage(database_.url);
    ASSERT_TRUE(s) << s.error().detail;
    storage_ = std::move(*s);
  }
  bool Persists() const { return GetParam().persists; }
  Outbox& outbox() { return storage_->outbox(); }
  DeliveryStatuses& delivery_statuses() { return storage_->delivery_statuses(); }

  std::string dir_;
  TestDatabase database_;
  StoragePtr storage_;
};

}  // namespace socialgate::store
