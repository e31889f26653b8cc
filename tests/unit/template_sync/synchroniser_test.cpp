// The synchroniser over a scripted Graph and the real store (SQLite in memory): every page of a
// listing read, in order, by its cursor; a page that fails fails the whole sync and the old
// catalog stays, in memory and stored; a status webhook reaches both at once; the stored
// catalogs come back at start.
#include "template_sync/synchroniser.hpp"

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/storage.hpp"
#include "support/eventually.hpp"
#include "util/clock.hpp"

namespace socialgate::template_sync {
namespace {

class ScriptedGraph final : public net::HttpClient {
 public:
  void Start(net::ClientRequest request, Completion done) override {
    core::Result<net::ClientResponse> answer = net::ClientResponse{500, {}, "no scripted answer"};
    if (on_request) on_request();
    {
      std::lock_guard lock(mutex_);
      urls.push_back(request.url);
      if (!answers.empty()) {
        answer = answers.front();
        answers.pop_front();
      }
    }
    done(std::move(answer));
  }
  void Answer(long status, std::string body) {
    answers.push_back(net::ClientResponse{status, {}, std::move(body)});
  }

  std::function<void()> on_request;  // runs before each answer, outside the lock
  std::mutex mutex_;
  std::deque<core::Result<net::ClientResponse>> answers;
  std::vector<std::string> urls;
};

std::string Entry(const std::string& name, const std::string& status = "APPROVED") {
  return R"({"id":"1)" + std::to_string(name.size()) + R"(","name":")" + name +
         R"(","language":"en_GB","status":")" + status +
         R"(","components":[{"type":"BODY","text":"Hi {{1}}"}]})";
}

// A page of `names`, with a next page at cursor `after` when it is not empty.
std::string Page(const std::vector<std::string>& names, const std::string& after = "") {
  std::string data;
  for (const auto& n : names) data += (data.empty() ? "" : ",") + Entry(n);
  std::string page = R"({"data":[)" + data + "]";
  if (!after.empty()) {
    page += R"(,"paging":{"cursors":{"before":"MA","after":")" + after +
            R"("},"next":"https://graph.example/next"})";
  }
  return page + "}";
}

class SynchroniserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStorage("sqlite::memory:");
    ASSERT_TRUE(opened) << opened.error().detail;
    storage_ = std::move(*opened);
    source_.account = "102290129340398";
    source_.meta =
        MetaListingTarget{"https://graph.example", "v23.0", "102290129340398", "secret-token"};
    source_.numbers = {"3902124122690"};
  }

  std::unique_ptr<TemplateSynchroniser> Make() {
    return std::make_unique<TemplateSynchroniser>(catalogs_, storage_->template_catalogs(), graph_,
                                                  std::vector<CatalogSource>{source_},
                                                  config::TemplateSettings{}, clock_);
  }

  std::size_t Known() {
    const auto* c = catalogs_.Current()->Find(source_.account);
    return c == nullptr ? 0 : c->size();
  }

  store::StoragePtr storage_;
  ScriptedGraph graph_;
  templates::Catalogs catalogs_;
  util::ManualClock clock_;
  CatalogSource source_;
};

TEST_F(SynchroniserTest, EveryPageIsReadByItsCursor) {
  graph_.Answer(200, Page({"a", "b"}, "Mg=="));
  graph_.Answer(200, Page({"c", "d"}, "NA"));
  graph_.Answer(200, Page({"e"}));
  auto sync = Make();
  const SyncReport report = sync->Sync(source_);
  ASSERT_TRUE(report.ok) << report.error;
  EXPECT_EQ(report.templates, 5u);
  EXPECT_EQ(report.pages, 3);
  ASSERT_EQ(graph_.urls.size(), 3u);
  EXPECT_EQ(graph_.urls[0],
            "https://graph.example/v23.0/102290129340398/message_templates?fields=id,name,"
            "language,status,category,parameter_format,components&limit=100");
  EXPECT_EQ(graph_.urls[1], graph_.urls[0] + "&after=Mg%3D%3D") << "the cursor, encoded";
  EXPECT_EQ(graph_.urls[2], graph_.urls[0] + "&after=NA");
  EXPECT_EQ(Known(), 5u);
  auto stored = storage_->template_catalogs().LoadCatalogs();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].templates.size(), 5u);
}

TEST_F(SynchroniserTest, ASyncThatFailsHalfWayChangesNothing) {
  graph_.Answer(200, Page({"a", "b"}));
  auto sync = Make();
  ASSERT_TRUE(sync->Sync(source_).ok);
  auto version = storage_->template_catalogs().CatalogVersion();
  ASSERT_TRUE(version);
  // Page 1 of the next listing comes, page 2 fails: neither memory nor the store change.
  graph_.Answer(200, Page({"x"}, "MQ"));
  graph_.Answer(500, R"({"error":{"message":"(#1) An unknown error occurred","code":1}})");
  const SyncReport failed = sync->Sync(source_);
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.error,
            "page 2 of the templates of WhatsApp Business Account 102290129340398 was answered "
            "HTTP 500: (#1) An unknown error occurred");
  EXPECT_EQ(Known(), 2u);
  EXPECT_NE(catalogs_.Current()->Find(source_.account)->Find("a", "en_GB"), nullptr);
  EXPECT_EQ(*storage_->template_catalogs().CatalogVersion(), *version);
  // Also a page that is no listing, and a cursor that does not move.
  graph_.Answer(200, "<html>");
  EXPECT_NE(sync->Sync(source_).error.find("page 1 of the templates"), std::string::npos);
  graph_.Answer(200, Page({"x"}, "MQ"));
  graph_.Answer(200, Page({"y"}, "MQ"));
  EXPECT_NE(sync->Sync(source_).error.find("the same cursor"), std::string::npos);
  EXPECT_EQ(Known(), 2u);
}

TEST_F(SynchroniserTest, StoredCatalogsComeBackAtStartAndStatusesReachBoth) {
  graph_.Answer(200, Page({"a", "b"}));
  ASSERT_TRUE(Make()->Sync(source_).ok);
  // A new process: only the store knows the catalog.
  templates::Catalogs fresh;
  TemplateSynchroniser again(fresh, storage_->template_catalogs(), graph_, {source_},
                             config::TemplateSettings{}, clock_);
  ASSERT_TRUE(again.Load());
  ASSERT_NE(fresh.Current()->Find(source_.account), nullptr);
  EXPECT_EQ(fresh.Current()->Find(source_.account)->size(), 2u);

  EXPECT_TRUE(again.ApplyStatus({source_.account, "", "a", "en_GB", "PAUSED", "FIRST_PAUSE"}));
  const templates::Template* a = fresh.Current()->Find(source_.account)->Find("a", "en_GB");
  EXPECT_EQ(a->status, "PAUSED");
  EXPECT_EQ(a->status_reason, "FIRST_PAUSE");
  // Stored too: a third process reads it paused, with the reason.
  templates::Catalogs third;
  TemplateSynchroniser reader(third, storage_->template_catalogs(), graph_, {source_},
                              config::TemplateSettings{}, clock_);
  ASSERT_TRUE(reader.Load());
  const templates::Template* read = third.Current()->Find(source_.account)->Find("a", "en_GB");
  EXPECT_EQ(read->status, "PAUSED");
  EXPECT_EQ(read->status_reason, "FIRST_PAUSE");
  // A status for an account this gateway does not keep is not an error.
  EXPECT_TRUE(again.ApplyStatus({"999", "", "a", "en_GB", "PAUSED", ""}));
}

TEST_F(SynchroniserTest, SourcesComeFromTheNumbers) {
  config::Config cfg;
  config::Domain d;
  config::BusinessNumber meta1;
  meta1.phone = "1";
  meta1.provider = config::ProviderKind::kMeta;
  meta1.meta.waba_id = "77";
  meta1.meta.access_token = "t1";
  config::BusinessNumber meta2 = meta1;
  meta2.phone = "2";
  meta2.meta.access_token = "t2";
  config::BusinessNumber sandbox;
  sandbox.phone = "3";
  sandbox.templates_file = "demo.json";
  config::BusinessNumber none;
  none.phone = "4";
  d.numbers = {meta1, meta2, sandbox, none};
  cfg.domains = {d};
  const auto sources = CatalogSourcesOf(cfg);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].account, "77");
  EXPECT_EQ(sources[0].numbers, (std::vector<std::string>{"1", "2"}));
  ASSERT_TRUE(sources[0].meta.has_value());
  EXPECT_EQ(sources[0].meta->access_token, "t1") << "the first number's credentials";
  EXPECT_EQ(sources[1].account, "file:demo.json");
  EXPECT_EQ(sources[1].file, "demo.json");
}

TEST_F(SynchroniserTest, AStatusChangedWhileASyncReadsWinsOverTheListing) {
  graph_.Answer(200, Page({"a", "b"}));
  auto sync = Make();
  ASSERT_TRUE(sync->Sync(source_).ok);
  // The next sync reads two pages; between them a webhook pauses a (the listing still says
  // APPROVED: it was read before).
  graph_.Answer(200, Page({"a"}, "MQ"));
  graph_.Answer(200, Page({"b"}));
  int requests = 0;
  graph_.on_request = [&] {
    if (++requests == 2) {
      EXPECT_TRUE(sync->ApplyStatus({source_.account, "", "a", "en_GB", "PAUSED", "FIRST_PAUSE"}));
    }
  };
  ASSERT_TRUE(sync->Sync(source_).ok);
  const templates::Template* a = catalogs_.Current()->Find(source_.account)->Find("a", "en_GB");
  EXPECT_EQ(a->status, "PAUSED");
  EXPECT_EQ(a->status_reason, "FIRST_PAUSE");
  auto stored = storage_->template_catalogs().LoadCatalogs();
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)[0].templates[0].status, "PAUSED") << "stored as paused too";
  // A later sync that says APPROVED (the change is older than it) approves it again.
  graph_.on_request = nullptr;
  graph_.Answer(200, Page({"a", "b"}));
  ASSERT_TRUE(sync->Sync(source_).ok);
  EXPECT_EQ(catalogs_.Current()->Find(source_.account)->Find("a", "en_GB")->status, "APPROVED");
}

// A configuration reload: a source it adds is read by the thread at once (not after the hour);
// one it removes is no longer read.
TEST_F(SynchroniserTest, ASourceAReloadAddsIsReadAtOnceAndOneItRemovesNoLonger) {
  graph_.Answer(200, Page({"a"}));  // the first round's read of source_
  auto sync = Make();
  ASSERT_TRUE(sync->Load());
  sync->Start();
  ASSERT_TRUE(support::Eventually([&] { return Known() == 1; }));

  CatalogSource added = source_;
  added.account = "102290129340399";
  added.meta->waba_id = added.account;
  added.numbers = {"3902124122691"};
  {
    std::lock_guard lock(graph_.mutex_);
    graph_.Answer(200, Page({"b", "c"}));
  }
  sync->SetSources({added});
  ASSERT_TRUE(support::Eventually([&] {
    const auto* c = catalogs_.Current()->Find(added.account);
    return c != nullptr && c->size() == 2;
  }));
  sync->Stop();
  ASSERT_EQ(sync->sources().size(), 1u);
  EXPECT_EQ(sync->sources()[0].account, added.account);
  std::lock_guard lock(graph_.mutex_);
  ASSERT_EQ(graph_.urls.size(), 2u) << "source_ was read once, then no more";
  EXPECT_NE(graph_.urls[1].find("/102290129340399/"), std::string::npos) << graph_.urls[1];
}

TEST_F(SynchroniserTest, AStoppingSynchroniserReadsNoFurtherPage) {
  graph_.Answer(200, Page({"a"}, "MQ"));
  graph_.Answer(200, Page({"b"}));
  bool stop = false;
  graph_.on_request = [&] { stop = true; };
  auto fetched = FetchMetaCatalog(graph_, *source_.meta, [&] { return stop; });
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(graph_.urls.size(), 1u);
}

}  // namespace
}  // namespace socialgate::template_sync
