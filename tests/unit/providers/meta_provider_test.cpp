#include "providers/meta/meta_provider.hpp"

#include <atomic>
#include <deque>
#include <future>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::providers {
namespace {

using Kind = SendOutcome::Kind;

// An HttpClient that records requests and answers from a script (curl itself is exercised by
// the integration tests against tools/fake-graph).
class ScriptedHttp final : public net::HttpClient {
 public:
  // Answers at once, on the caller's thread.
  void Start(net::ClientRequest request, Completion done) override {
    core::Result<net::ClientResponse> answer = net::ClientResponse{500, {}, "no scripted answer"};
    {
      std::lock_guard lock(mutex_);
      requests.push_back(std::move(request));
      if (!answers.empty()) {
        answer = answers.front();
        answers.pop_front();
      }
    }
    done(std::move(answer));
  }
  void Answer(long status, std::string body,
              std::vector<std::pair<std::string, std::string>> h = {}) {
    answers.push_back(net::ClientResponse{status, std::move(h), std::move(body)});
  }
  void Fail(core::ErrorCode code) {
    answers.push_back(tl::unexpected(core::Error{code, "transport", "detail"}));
  }

  std::mutex mutex_;
  std::deque<core::Result<net::ClientResponse>> answers;
  std::vector<net::ClientRequest> requests;
};

constexpr const char* kAccepted =
    R"({"messaging_product":"whatsapp","contacts":[{"input":"+393403603062","wa_id":"393403603062"}],)"
    R"("messages":[{"id":"wamid.HBgLMTY1"}]})";

config::MetaSettings Settings() {
  config::MetaSettings s;
  s.phone_number_id = "106540352242922";
  s.base_url = "http://127.0.0.1:9";
  s.api_version = "v23.0";
  s.access_token = "secret-token";
  return s;
}

core::OutboundMessage Message(bool with_document = false) {
  core::OutboundMessage m;
  m.customer_phone = "393403603062";
  m.service_phone = "3902124122690";
  core::TemplateContent t;
  t.template_name = "shipping_confirmation";
  t.language = "en_GB";
  t.body_params = {"5"};
  if (with_document) {
    t.header = core::MediaHeader{core::MediaKind::kDocument, "application/pdf", "pdf",
                                 "invoice.pdf", "%PDF-1.4 bytes"};
  }
  m.content = std::move(t);
  return m;
}

TEST(MetaProviderTest, PostsTheTemplateWithTheBearerToken) {
  ScriptedHttp http;
  http.Answer(200, kAccepted);
  auto provider = MakeMetaProvider(Settings(), http);
  const SendOutcome o = provider->Send("msg-1", Message());
  EXPECT_EQ(o.kind, Kind::kAccepted);
  EXPECT_EQ(o.provider_message_id, "wamid.HBgLMTY1");
  EXPECT_EQ(o.wa_id, "393403603062");
  ASSERT_EQ(http.requests.size(), 1u);
  const auto& r = http.requests[0];
  EXPECT_EQ(r.url, "http://127.0.0.1:9/v23.0/106540352242922/messages");
  EXPECT_NE(
      std::find(r.headers.begin(), r.headers.end(),
                std::make_pair(std::string("Authorization"), std::string("Bearer secret-token"))),
      r.headers.end());
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["to"], "+393403603062");
  EXPECT_EQ(body["biz_opaque_callback_data"], "msg-1");
}

TEST(MetaProviderTest, TextMessagesAreSentAsynchronouslyMediaHeadersOnAThread) {
  ScriptedHttp http;
  auto provider = MakeMetaProvider(Settings(), http);
  EXPECT_TRUE(provider->SendsAsync(Message()));
  EXPECT_FALSE(provider->SendsAsync(Message(true)));  // may upload first, shared with others

  http.Answer(200, kAccepted);
  http.Answer(503, "");
  std::vector<SendOutcome> outcomes;
  provider->SendAsync("msg-1", Message(), [&](SendOutcome o) { outcomes.push_back(o); });
  provider->SendAsync("msg-2", Message(), [&](SendOutcome o) { outcomes.push_back(o); });
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Kind::kAccepted);
  EXPECT_EQ(outcomes[0].provider_message_id, "wamid.HBgLMTY1");
  EXPECT_EQ(outcomes[0].wa_id, "393403603062");
  EXPECT_EQ(outcomes[1].kind, Kind::kRetryLater);
  EXPECT_EQ(outcomes[1].error_code, "http_503");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:9/v23.0/106540352242922/messages");
  EXPECT_EQ(nlohmann::json::parse(http.requests[1].body)["biz_opaque_callback_data"], "msg-2");
}

TEST(MetaProviderTest, UploadsAMediaHeaderOnceAndReusesItsId) {
  ScriptedHttp http;
  http.Answer(200, R"({"id":"4490709327384033"})");
  http.Answer(200, kAccepted);
  http.Answer(200, kAccepted);
  auto provider = MakeMetaProvider(Settings(), http);
  EXPECT_EQ(provider->Send("a", Message(true)).kind, Kind::kAccepted);
  EXPECT_EQ(provider->Send("b", Message(true)).kind, Kind::kAccepted);
  ASSERT_EQ(http.requests.size(), 3u);  // one upload, two sends
  const auto& upload = http.requests[0];
  EXPECT_EQ(upload.url, "http://127.0.0.1:9/v23.0/106540352242922/media");
  ASSERT_EQ(upload.multipart.size(), 3u);
  EXPECT_EQ(upload.multipart[0].name, "messaging_product");
  EXPECT_EQ(upload.multipart[0].value, "whatsapp");
  EXPECT_EQ(upload.multipart[1].name, "type");
  EXPECT_EQ(upload.multipart[1].value, "application/pdf");
  EXPECT_EQ(upload.multipart[2].name, "file");
  EXPECT_EQ(upload.multipart[2].file_name, "invoice.pdf");
  EXPECT_EQ(upload.multipart[2].content_type, "application/pdf");
  EXPECT_EQ(upload.multipart[2].value, "%PDF-1.4 bytes");
  for (int i : {1, 2}) {
    const auto body = nlohmann::json::parse(http.requests[i].body);
    const auto& doc = body["template"]["components"][0]["parameters"][0]["document"];
    EXPECT_EQ(doc["id"], "4490709327384033");
    EXPECT_EQ(doc["filename"], "invoice.pdf");
  }
}

TEST(MetaProviderTest, AMediaMessagesFileIsUploadedThenSentByItsId) {
  ScriptedHttp http;
  http.Answer(200, R"({"id":"4490709327384033"})");
  http.Answer(200, kAccepted);
  auto provider = MakeMetaProvider(Settings(), http);
  core::OutboundMessage m = Message();
  m.content = core::MediaContent{
      core::MediaHeader{core::MediaKind::kImage, "image/png", "png", "logo.png", "\x89PNG bytes"}};
  EXPECT_FALSE(provider->SendsAsync(m));  // it uploads first, on a dispatcher worker
  EXPECT_EQ(provider->Send("a", m).kind, Kind::kAccepted);
  ASSERT_EQ(http.requests.size(), 2u);
  const auto& upload = http.requests[0];
  EXPECT_EQ(upload.url, "http://127.0.0.1:9/v23.0/106540352242922/media");
  ASSERT_EQ(upload.multipart.size(), 3u);
  EXPECT_EQ(upload.multipart[1].value, "image/png");
  EXPECT_EQ(upload.multipart[2].file_name, "logo.png");
  EXPECT_EQ(upload.multipart[2].value, "\x89PNG bytes");
  const auto body = nlohmann::json::parse(http.requests[1].body);
  EXPECT_EQ(body["type"], "image");
  EXPECT_EQ(body["image"]["id"], "4490709327384033");
}

TEST(MetaProviderTest, AFreeTextIsOnePostSentAsynchronously) {
  ScriptedHttp http;
  http.Answer(200, kAccepted);
  auto provider = MakeMetaProvider(Settings(), http);
  core::OutboundMessage m = Message();
  m.content = core::TextContent{"hello"};
  EXPECT_TRUE(provider->SendsAsync(m));
  std::vector<SendOutcome> outcomes;
  provider->SendAsync("t", m, [&](SendOutcome o) { outcomes.push_back(o); });
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Kind::kAccepted);
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(http.requests[0].body)["text"]["body"], "hello");
}

TEST(MetaProviderTest, AStaleCachedMediaIdIsUploadedAgainOnce) {
  ScriptedHttp http;
  const std::string stale = R"({"error":{"message":"(#131053) Media upload error","code":131053}})";
  http.Answer(200, R"({"id":"old"})");
  http.Answer(200, kAccepted);
  http.Answer(400, stale);              // the cached id expired at Meta
  http.Answer(200, R"({"id":"new"})");  // re-upload
  http.Answer(200, kAccepted);          // resend
  auto provider = MakeMetaProvider(Settings(), http);
  EXPECT_EQ(provider->Send("a", Message(true)).kind, Kind::kAccepted);
  EXPECT_EQ(provider->Send("b", Message(true)).kind, Kind::kAccepted);
  ASSERT_EQ(http.requests.size(), 5u);
  const auto body = nlohmann::json::parse(http.requests[4].body);
  EXPECT_EQ(body["template"]["components"][0]["parameters"][0]["document"]["id"], "new");
}

TEST(MetaProviderTest, UploadFailuresAreClassified) {
  ScriptedHttp http;
  http.Answer(400, R"({"error":{"message":"(#131053) Media upload error","code":131053}})");
  http.Answer(503, "unavailable");
  auto provider = MakeMetaProvider(Settings(), http);
  auto o = provider->Send("a", Message(true));
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "131053");
  EXPECT_EQ(o.error_message.rfind("media upload: ", 0), 0u) << o.error_message;
  o = provider->Send("b", Message(true));
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(http.requests.size(), 2u);  // no send without a media id
}

TEST(MetaProviderTest, TransportFailuresAndOddAnswersAreRetried) {
  ScriptedHttp http;
  http.Fail(core::ErrorCode::kDeadlineExceeded);
  http.Fail(core::ErrorCode::kUnavailable);
  http.Answer(200, R"({"messaging_product":"whatsapp"})");
  http.Answer(429, "", {{"retry-after", "7"}});
  http.Fail(core::ErrorCode::kResourceExhausted);  // an answer over the client's limit
  http.Fail(core::ErrorCode::kInternal);           // a request the client could not set up
  auto provider = MakeMetaProvider(Settings(), http);
  // Meta is unwell when it does not answer, cannot be reached or answers nonsense; throttling
  // and a request this side could not set up say nothing about its health.
  auto o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "timeout");
  EXPECT_TRUE(o.provider_unwell);
  o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "unreachable");
  EXPECT_TRUE(o.provider_unwell);
  o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "bad_response");
  EXPECT_TRUE(o.provider_unwell);
  o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.retry_after, std::chrono::milliseconds(7000));
  EXPECT_FALSE(o.provider_unwell);
  o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "bad_response");
  EXPECT_TRUE(o.provider_unwell);
  o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "internal_error");
  EXPECT_FALSE(o.provider_unwell);
}

// Answers of the wrong shape become outcomes, never exceptions: nlohmann's type_error on the
// HTTP client's thread took the gateway down (issue 14).
TEST(MetaProviderTest, AnswersOfTheWrongShapeAreOutcomesNotExceptions) {
  ScriptedHttp http;
  http.Answer(400, R"({"error":{"code":131000,"message":7}})");
  http.Answer(200, R"({"messages":[{"id":12345}],"contacts":[{"wa_id":"1"}]})");
  http.Answer(200, R"({"messages":[{"id":"wamid.A1"}],"contacts":[{"wa_id":["x"]}]})");
  http.Answer(400, R"({"error":{"code":132001,"error_data":{"details":5}}})");
  auto provider = MakeMetaProvider(Settings(), http);
  std::vector<SendOutcome> outcomes;
  for (int i = 0; i < 4; ++i) {
    provider->SendAsync("m", Message(), [&](SendOutcome o) { outcomes.push_back(std::move(o)); });
  }
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Kind::kRetryLater);
  EXPECT_EQ(outcomes[0].error_code, "131000");
  EXPECT_EQ(outcomes[1].kind, Kind::kRetryLater);
  EXPECT_EQ(outcomes[1].error_code, "bad_response");
  EXPECT_NE(outcomes[1].error_message.find("messages[0].id is an integer, not a string"),
            std::string::npos)
      << outcomes[1].error_message;
  EXPECT_EQ(outcomes[2].kind, Kind::kAccepted);
  EXPECT_EQ(outcomes[2].provider_message_id, "wamid.A1");
  EXPECT_EQ(outcomes[2].wa_id, "");
  EXPECT_EQ(outcomes[3].kind, Kind::kRejected);
  EXPECT_EQ(outcomes[3].error_code, "132001");
}

TEST(MetaProviderTest, AnUploadAnswerWithoutAUsableMediaIdIsRetriedWithoutASend) {
  ScriptedHttp http;
  http.Answer(200, R"({"id":4490709327384033})");
  http.Answer(200, R"({"id":")" + std::string(10'000, '1') + R"("})");
  auto provider = MakeMetaProvider(Settings(), http);
  for (const char* why : {"id is an integer, not a string", "id is 10000 bytes, more than 128"}) {
    const auto o = provider->Send("a", Message(true));
    EXPECT_EQ(o.kind, Kind::kRetryLater);
    EXPECT_EQ(o.error_code, "bad_response");
    EXPECT_EQ(o.error_message,
              std::string("media upload: the answer carried no usable media id: ") + why);
  }
  EXPECT_EQ(http.requests.size(), 2u);  // two uploads, no send
}

// An HttpClient whose first upload waits until the test opens the gate (an upload that hangs).
class GatedUploads final : public net::HttpClient {
 public:
  void Start(net::ClientRequest request, Completion done) override {
    const bool upload = request.url.ends_with("/media");
    if (upload && !started_flag_.exchange(true)) {
      started_.set_value();
      gate_.wait();
    }
    done(net::ClientResponse{200, {}, upload ? R"({"id":"4490709327384033"})" : kAccepted});
  }
  std::future<void> Started() { return started_.get_future(); }
  void Open() { opener_.set_value(); }

 private:
  std::atomic<bool> started_flag_{false};
  std::promise<void> started_;
  std::promise<void> opener_;
  std::shared_future<void> gate_ = opener_.get_future().share();
};

// A send of a file whose upload by another send does not end waits no longer than the upload's
// timeout and a margin, then fails in a way that is retried.
TEST(MetaProviderTest, ASendWaitingForAnotherSendsHungUploadGivesUpToRetry) {
  GatedUploads http;
  auto settings = Settings();
  settings.timeout = std::chrono::milliseconds(10);  // the wait: this and a margin of 1 s
  auto provider = MakeMetaProvider(settings, http);
  auto started = http.Started();
  auto first = std::async(std::launch::async, [&] { return provider->Send("a", Message(true)); });
  ASSERT_EQ(started.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto second = std::async(std::launch::async, [&] { return provider->Send("b", Message(true)); });
  const bool gave_up = second.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  http.Open();
  ASSERT_TRUE(gave_up) << "the second send waited for the hung upload";
  const SendOutcome o = second.get();
  EXPECT_EQ(o.kind, Kind::kRetryLater);
  EXPECT_EQ(o.error_code, "upload_wait");
  EXPECT_EQ(o.error_message.rfind("media upload: ", 0), 0u) << o.error_message;
  EXPECT_EQ(first.get().kind, Kind::kAccepted);
}

TEST(MetaProviderTest, PermanentErrorsCarryMetasCodeAndMessage) {
  ScriptedHttp http;
  http.Answer(
      404, R"({"error":{"message":"(#132001) Template name does not exist in the translation",)"
           R"("type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp",)"
           R"("details":"template name (nope) does not exist in en_GB"},"fbtrace_id":"A"}})");
  auto provider = MakeMetaProvider(Settings(), http);
  const auto o = provider->Send("a", Message());
  EXPECT_EQ(o.kind, Kind::kRejected);
  EXPECT_EQ(o.error_code, "132001");
  EXPECT_EQ(o.error_message,
            "(#132001) Template name does not exist in the translation: template name (nope) "
            "does not exist in en_GB");
}

}  // namespace
}  // namespace socialgate::providers
