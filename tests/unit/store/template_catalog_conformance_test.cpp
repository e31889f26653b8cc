// The conformance suite's part on template catalogs (store/template_catalogs.hpp), on every
// engine: a catalog replaced whole or not at all, read back in order with every field, a status
// changed by Meta's id or by name and language, and one version that every write moves.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/storage_conformance.hpp"

namespace socialgate::store {
namespace {

StoredTemplate Tpl(const std::string& name, const std::string& language, const std::string& id = "",
                   const std::string& status = "APPROVED") {
  StoredTemplate t;
  t.name = name;
  t.language = language;
  t.template_id = id;
  t.status = status;
  t.category = "UTILITY";
  t.definition = R"({"name":")" + name + R"(","language":")" + language + R"("})";
  t.updated_at_ms = kNow;
  return t;
}

StoredCatalog Catalog(const std::string& account, std::int64_t synced_at_ms,
                      std::vector<StoredTemplate> templates) {
  return StoredCatalog{account, synced_at_ms, std::move(templates)};
}

// A definition of several kilobytes, much of it outside ASCII (2, 3 and 4 bytes a character).
std::string LargeDefinition() {
  std::string body;
  while (body.size() < 6000) body += "Caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x80 ";
  return R"({"name":"receipt","components":[{"type":"BODY","text":")" + body + R"("}]})";
}

// "name (language) id status" per template, in the order read.
std::vector<std::string> Keys(const StoredCatalog& catalog) {
  std::vector<std::string> out;
  for (const StoredTemplate& t : catalog.templates) {
    out.push_back(t.name + " (" + t.language + ") " + t.template_id + " " + t.status);
  }
  return out;
}

class TemplateCatalogConformance : public StorageConformanceTest {
 protected:
  TemplateCatalogs& catalogs() { return storage_->template_catalogs(); }
  std::vector<StoredCatalog> Load() {
    auto loaded = catalogs().LoadCatalogs();
    EXPECT_TRUE(loaded) << loaded.error().detail;
    return loaded ? *loaded : std::vector<StoredCatalog>();
  }
  std::int64_t Version() {
    auto version = catalogs().CatalogVersion();
    EXPECT_TRUE(version) << version.error().detail;
    return version ? *version : -1;
  }
  // The status change's count of changed templates (-1 when it failed).
  int SetStatus(TemplateStatusChange change) {
    auto changed = catalogs().SetTemplateStatus(change);
    EXPECT_TRUE(changed) << changed.error().detail;
    return changed ? *changed : -1;
  }
};

TEST_P(TemplateCatalogConformance, NothingIsStoredAtFirst) {
  EXPECT_TRUE(Load().empty());
  EXPECT_EQ(Version(), 0);
}

TEST_P(TemplateCatalogConformance, AReplacedCatalogIsReadBackInOrderWithEveryField) {
  StoredTemplate receipt = Tpl("receipt", "it", "1001", "PAUSED");
  receipt.category = "MARKETING";
  receipt.definition = LargeDefinition();
  receipt.updated_at_ms = kNow - 5;
  // Given out of order; read back by name, then language, byte by byte ("ship_z" before "shipa",
  // whatever the database's collation).
  ASSERT_TRUE(catalogs().ReplaceCatalog(
      Catalog("waba-2", kNow,
              {Tpl("shipa", "en_US", "1003"), receipt, Tpl("ship_z", "en_US", "1004"),
               Tpl("shipa", "en", "1002"), Tpl("shipa", "en_GB", "")})));
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow - 1000, {Tpl("hello", "en")})));

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].account, "waba-1");
  EXPECT_EQ(loaded[0].synced_at_ms, kNow - 1000);
  EXPECT_EQ(Keys(loaded[0]), std::vector<std::string>{"hello (en)  APPROVED"});
  EXPECT_EQ(loaded[1].account, "waba-2");
  EXPECT_EQ(loaded[1].synced_at_ms, kNow);
  EXPECT_EQ(Keys(loaded[1]),
            (std::vector<std::string>{"receipt (it) 1001 PAUSED", "ship_z (en_US) 1004 APPROVED",
                                      "shipa (en) 1002 APPROVED", "shipa (en_GB)  APPROVED",
                                      "shipa (en_US) 1003 APPROVED"}));
  const StoredTemplate& got = loaded[1].templates[0];
  EXPECT_EQ(got.category, "MARKETING");
  EXPECT_EQ(got.definition, LargeDefinition());
  EXPECT_GT(got.definition.size(), 6000u);
  EXPECT_EQ(got.updated_at_ms, kNow - 5);
  EXPECT_EQ(loaded[1].templates[1].definition, Tpl("ship_z", "en_US").definition);
}

TEST_P(TemplateCatalogConformance, AReplacementReplacesTheWholeCatalog) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(
      Catalog("waba-1", kNow, {Tpl("gone", "en", "1"), Tpl("kept", "en", "2", "PENDING")})));
  StoredTemplate kept = Tpl("kept", "en", "2", "APPROVED");
  kept.definition = R"({"name":"kept","version":2})";
  ASSERT_TRUE(
      catalogs().ReplaceCatalog(Catalog("waba-1", kNow + 60'000, {kept, Tpl("new", "en", "3")})));

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].synced_at_ms, kNow + 60'000);
  EXPECT_EQ(Keys(loaded[0]),
            (std::vector<std::string>{"kept (en) 2 APPROVED", "new (en) 3 APPROVED"}));
  EXPECT_EQ(loaded[0].templates[0].definition, kept.definition);
  // The removed template's id finds nothing any more.
  EXPECT_EQ(SetStatus({"waba-1", "1", "", "", "PAUSED", kNow + 1, ""}), 0);
}

TEST_P(TemplateCatalogConformance, AccountsAreIndependent) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {Tpl("hello", "en", "1")})));
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-2", kNow, {Tpl("hello", "en", "1")})));
  // Replacing one account's catalog leaves the other's.
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow + 1, {Tpl("bye", "en", "9")})));
  // A status change reaches only its account's template, even where another has the same id.
  EXPECT_EQ(SetStatus({"waba-2", "1", "", "", "PAUSED", kNow + 2, ""}), 1);

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(Keys(loaded[0]), std::vector<std::string>{"bye (en) 9 APPROVED"});
  EXPECT_EQ(loaded[0].synced_at_ms, kNow + 1);
  EXPECT_EQ(Keys(loaded[1]), std::vector<std::string>{"hello (en) 1 PAUSED"});
  EXPECT_EQ(loaded[1].synced_at_ms, kNow);
}

TEST_P(TemplateCatalogConformance, ADuplicateKeyIsRefusedAndTheStoredCatalogStaysWhole) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(
      Catalog("waba-1", kNow, {Tpl("hello", "en", "1"), Tpl("bye", "en", "2")})));
  const std::int64_t version = Version();

  // The same name in two languages is two templates; the same name and language twice is not.
  auto refused = catalogs().ReplaceCatalog(
      Catalog("waba-1", kNow + 1,
              {Tpl("new", "en", "3"), Tpl("hello", "it", "4"), Tpl("hello", "it", "5")}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("hello"), std::string::npos) << refused.error().message;

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].synced_at_ms, kNow);
  EXPECT_EQ(Keys(loaded[0]),
            (std::vector<std::string>{"bye (en) 2 APPROVED", "hello (en) 1 APPROVED"}));
  EXPECT_EQ(Version(), version);
}

TEST_P(TemplateCatalogConformance, InputBeyondTheBoundsIsRefusedWithNothingWritten) {
  std::vector<StoredTemplate> many;
  for (std::size_t i = 0; i <= kMaxCatalogTemplates; ++i) {
    many.push_back(Tpl("t" + std::to_string(i), "en"));
  }
  const auto too_many = catalogs().ReplaceCatalog(Catalog("waba-1", kNow, many));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, core::ErrorCode::kInvalidArgument);

  StoredTemplate huge = Tpl("huge", "en");
  huge.definition.assign(kMaxTemplateDefinitionBytes + 1, 'x');
  EXPECT_FALSE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {huge})));
  EXPECT_FALSE(catalogs().ReplaceCatalog(Catalog("", kNow, {Tpl("hello", "en")})));
  EXPECT_FALSE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {Tpl("hello", "")})));
  EXPECT_FALSE(catalogs().ReplaceCatalog(
      Catalog("waba-1", kNow, {Tpl(std::string(kMaxTemplateFieldBytes + 1, 'n'), "en")})));

  // A status change names its template by id, or by name and language.
  const auto unnamed =
      catalogs().SetTemplateStatus({"waba-1", "", "hello", "", "PAUSED", kNow, ""});
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(catalogs().SetTemplateStatus({"waba-1", "1", "", "", "", kNow, ""}));
  EXPECT_FALSE(catalogs().SetTemplateStatus({"", "1", "", "", "PAUSED", kNow, ""}));

  EXPECT_TRUE(Load().empty());
  EXPECT_EQ(Version(), 0);
}

TEST_P(TemplateCatalogConformance, AStatusChangesByIdOrByNameAndLanguage) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog(
      "waba-1", kNow, {Tpl("hello", "en", "1"), Tpl("hello", "it", "2"), Tpl("bye", "en", "")})));
  std::int64_t version = Version();

  // By Meta's id: the name and language given with it do not matter.
  EXPECT_EQ(SetStatus({"waba-1", "2", "bye", "en", "PAUSED", kNow + 10, ""}), 1);
  EXPECT_GT(Version(), version);
  version = Version();
  // By name and language, for a template whose id is not known.
  EXPECT_EQ(SetStatus({"waba-1", "", "bye", "en", "REJECTED", kNow + 20, ""}), 1);
  EXPECT_GT(Version(), version);
  version = Version();

  // No such template: nothing changes, and the version stays.
  EXPECT_EQ(SetStatus({"waba-1", "99", "", "", "PAUSED", kNow + 30, ""}), 0);
  EXPECT_EQ(SetStatus({"waba-1", "", "hello", "de", "PAUSED", kNow + 30, ""}), 0);
  EXPECT_EQ(SetStatus({"waba-9", "1", "", "", "PAUSED", kNow + 30, ""}), 0);
  // The status it already has: likewise, and its updated_at_ms stays.
  EXPECT_EQ(SetStatus({"waba-1", "2", "", "", "PAUSED", kNow + 40, ""}), 0);
  EXPECT_EQ(SetStatus({"waba-1", "", "hello", "en", "APPROVED", kNow + 40, ""}), 0);
  EXPECT_EQ(Version(), version);

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(Keys(loaded[0]),
            (std::vector<std::string>{"bye (en)  REJECTED", "hello (en) 1 APPROVED",
                                      "hello (it) 2 PAUSED"}));
  EXPECT_EQ(loaded[0].templates[0].updated_at_ms, kNow + 20);
  EXPECT_EQ(loaded[0].templates[1].updated_at_ms, kNow);
  EXPECT_EQ(loaded[0].templates[2].updated_at_ms, kNow + 10);
  // The definition is the store's to keep, not to edit: the status beside it is authoritative.
  EXPECT_EQ(loaded[0].templates[2].definition, Tpl("hello", "it").definition);
  EXPECT_EQ(loaded[0].synced_at_ms, kNow);
}

TEST_P(TemplateCatalogConformance, AStatusKeepsMetasReasonUntilTheNextChange) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {Tpl("hello", "en", "1")})));
  EXPECT_EQ(SetStatus({"waba-1", "1", "", "", "PAUSED", kNow + 1, "FIRST_PAUSE"}), 1);
  EXPECT_EQ(Load().at(0).templates.at(0).status_reason, "FIRST_PAUSE");
  // The same status with another reason is a change; the same status and reason is not.
  EXPECT_EQ(SetStatus({"waba-1", "1", "", "", "PAUSED", kNow + 2, "SECOND_PAUSE"}), 1);
  EXPECT_EQ(SetStatus({"waba-1", "1", "", "", "PAUSED", kNow + 3, "SECOND_PAUSE"}), 0);
  EXPECT_EQ(Load().at(0).templates.at(0).status_reason, "SECOND_PAUSE");
  // An approval without a reason clears it; a sync stores what it is given.
  EXPECT_EQ(SetStatus({"waba-1", "", "hello", "en", "APPROVED", kNow + 4, ""}), 1);
  EXPECT_EQ(Load().at(0).templates.at(0).status_reason, "");
  StoredTemplate rejected = Tpl("hello", "en", "1", "REJECTED");
  rejected.status_reason = "INVALID_FORMAT";
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow + 5, {rejected})));
  EXPECT_EQ(Load().at(0).templates.at(0).status_reason, "INVALID_FORMAT");
}

TEST_P(TemplateCatalogConformance, EveryWriteMovesTheVersionForEveryInstanceToSee) {
  std::vector<std::int64_t> seen{Version()};
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {Tpl("hello", "en", "1")})));
  seen.push_back(Version());
  // The same catalog again is a write too.
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow, {Tpl("hello", "en", "1")})));
  seen.push_back(Version());
  ASSERT_EQ(SetStatus({"waba-1", "1", "", "", "PAUSED", kNow + 1, ""}), 1);
  seen.push_back(Version());
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_NE(seen[i], seen[i - 1]) << "after write " << i;
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(seen[i], seen[j]);
  }

  if (!Persists()) return;
  // Another instance on the same database sees the version and the catalog, and its writes move
  // the version this one reads.
  auto other = OpenStorage(database_.url);
  ASSERT_TRUE(other) << other.error().detail;
  TemplateCatalogs& theirs = (*other)->template_catalogs();
  EXPECT_EQ(*theirs.CatalogVersion(), seen.back());
  auto their_load = theirs.LoadCatalogs();
  ASSERT_TRUE(their_load);
  ASSERT_EQ(their_load->size(), 1u);
  EXPECT_EQ(Keys((*their_load)[0]), std::vector<std::string>{"hello (en) 1 PAUSED"});
  ASSERT_EQ(*theirs.SetTemplateStatus({"waba-1", "1", "", "", "APPROVED", kNow + 2, ""}), 1);
  EXPECT_NE(Version(), seen.back());
  EXPECT_EQ(Version(), *theirs.CatalogVersion());
  // And after a restart.
  const std::int64_t last = Version();
  other->reset();
  Open();
  EXPECT_EQ(Version(), last);
}

TEST_P(TemplateCatalogConformance, ACatalogOfNoTemplatesIsStored) {
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-empty", kNow, {})));
  auto loaded = Load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].account, "waba-empty");
  EXPECT_EQ(loaded[0].synced_at_ms, kNow);
  EXPECT_TRUE(loaded[0].templates.empty());
  EXPECT_NE(Version(), 0);

  // A catalog that had templates and now has none keeps its row, with the new synced_at_ms.
  ASSERT_TRUE(catalogs().ReplaceCatalog(
      Catalog("waba-1", kNow, {Tpl("hello", "en", "1"), Tpl("bye", "en", "2")})));
  ASSERT_TRUE(catalogs().ReplaceCatalog(Catalog("waba-1", kNow + 5, {})));
  loaded = Load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].account, "waba-1");
  EXPECT_EQ(loaded[0].synced_at_ms, kNow + 5);
  EXPECT_TRUE(loaded[0].templates.empty());
  EXPECT_TRUE(loaded[1].templates.empty());
}

TEST_P(TemplateCatalogConformance, InstancesReplacingOneCatalogAtOnceEachCommitAWholeOne) {
  if (!Persists()) GTEST_SKIP() << "each open is a database of its own";
  auto other = OpenStorage(database_.url);
  ASSERT_TRUE(other) << other.error().detail;
  // Each instance stores catalogs of its own templates; whatever the interleaving, every write
  // succeeds and the catalog read back is one of them whole, never a mix.
  constexpr int kRounds = 20;
  const auto replace = [](TemplateCatalogs& catalogs, const std::string& who, int* failures) {
    for (int i = 0; i < kRounds; ++i) {
      std::vector<StoredTemplate> templates;
      for (int j = 0; j < 5; ++j) {
        templates.push_back(Tpl(who + std::to_string(j), "en", who + std::to_string(i)));
      }
      if (!catalogs.ReplaceCatalog(Catalog("waba-1", kNow + i, templates))) ++*failures;
      if (!catalogs.SetTemplateStatus({"waba-1", "", who + "0", "en", "PAUSED", kNow + i, ""})) {
        ++*failures;
      }
    }
  };
  int ours_failed = 0;
  int theirs_failed = 0;
  std::thread theirs(replace, std::ref((*other)->template_catalogs()), "b", &theirs_failed);
  replace(catalogs(), "a", &ours_failed);
  theirs.join();
  EXPECT_EQ(ours_failed, 0);
  EXPECT_EQ(theirs_failed, 0);

  const auto loaded = Load();
  ASSERT_EQ(loaded.size(), 1u);
  ASSERT_EQ(loaded[0].templates.size(), 5u);
  const char who = loaded[0].templates[0].name[0];
  for (const StoredTemplate& t : loaded[0].templates) {
    EXPECT_EQ(t.name[0], who) << t.name;
    EXPECT_EQ(t.template_id, loaded[0].templates[0].template_id);
  }
  // Every replacement moved the version; a status change did when the other instance had not
  // replaced its template meanwhile.
  EXPECT_GE(Version(), 2 * kRounds);
  EXPECT_LE(Version(), 4 * kRounds);
}

INSTANTIATE_TEST_SUITE_P(Engines, TemplateCatalogConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<Engine>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace socialgate::store
