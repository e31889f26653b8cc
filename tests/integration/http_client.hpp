// File: tests/integration/http_client.hpp
//
// A small blocking HTTP client for integration tests (libcurl easy interface, one request at a
// time per HttpClient), and helpers for the livechat API on top of it: the seed's example body,
// Basic credentials, and a bounded poll for a message's status.
//
//   HttpClient client;
//   HttpResponse r = client.PostJson(url, body.dump(), Credentials{"demo", "socialgate-demo"});
//   EXPECT_EQ(r.status, 200) << r.Describe();
//   EXPECT_EQ(r.Json()["status"], "accepted");
//
// Never throws: transport failures come back as status 0 with `transport_error` set.
// Thread safety: an HttpClient is used by one thread at a time; use one per thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::testing {

struct Credentials {
  std::string user;
  std::string password;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  // Sent as "Name: value". An empty value removes a header libcurl would add by itself (e.g.
  // {"Content-Type", ""} sends a POST without a Content-Type).
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // sent with Content-Length when set
  std::optional<Credentials> basic;
  std::string ca_file;  // https: the PEM certificate to trust (the peer is always verified)
};

struct HttpResponse {
  long status = 0;                             // 0: no HTTP answer (see transport_error)
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined with ", "
  std::string body;
  std::string transport_error;  // libcurl's message when status is 0

  // The value of a header (lower-case name), or "" when absent.
  std::string Header(std::string_view lower_name) const;
  // The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
  // Status, transport error and body (shortened), for assertion messages.
  std::string Describe() const;
};

class HttpClient {
 public:
  static constexpr std::chrono::seconds kConnectTimeout{5};
  static constexpr std::chrono::seconds kTotalTimeout{30};

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Send(const HttpRequest& request);

  HttpResponse Get(const std::string& url, std::optional<Credentials> basic = std::nullopt);
  // POST with "Content-Type: application/json".
  HttpResponse PostJson(const std::string& url, std::string body,
                        std::optional<Credentials> basic = std::nullopt);

 private:
  void* curl_;  // CURL*, kept out of this header
};

// ---- The livechat API ----------------------------------------------------------------------

inline constexpr std::string_view kSendMethod = "sendExternalTemplateMessageToCtlivesocial";

// The seed's example request, to be varied by the tests.
nlohmann::json SeedRequest(std::string_view service_phone = "3902124122690");

// base_url + "/livechat/" + domain + "/sendExternalTemplateMessageToCtlivesocial".
std::string SendUrl(const std::string& base_url, std::string_view domain);
// base_url + "/livechat/" + domain + "/messages/" + id.
std::string MessageUrl(const std::string& base_url, std::string_view domain, std::string_view id);

struct MessageStatusPoll {
  ::testing::AssertionResult reached = ::testing::AssertionFailure();
  nlohmann::json last;  // the last GET body (a discarded value if none was JSON)
};

// Polls GET /livechat/{domain}/messages/{id} until its "status" is `status`, a final status
// it cannot leave ("failed", or "read" when waiting for something else), or the timeout.
MessageStatusPoll WaitForMessageStatus(
    HttpClient& client, const std::string& base_url, std::string_view domain, std::string_view id,
    const Credentials& credentials, std::string_view status,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Polls every message of `ids` until each has reached `status`, all within one `timeout`.
// On failure the message lists each message that did not, with its last answer.
::testing::AssertionResult WaitForAllMessagesStatus(
    HttpClient& client, const std::string& base_url, std::string_view domain,
    const std::vector<std::string>& ids, const Credentials& credentials, std::string_view status,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The answer is `status`, JSON (content type and body) {"result": false, "error": "..."}, with
// `text` in the error sentence.
::testing::AssertionResult IsError(const HttpResponse& r, long status, std::string_view text);

// The statuses of a GET answer's history, in order.
std::vector<std::string> HistoryStatuses(const nlohmann::json& message);

}  // namespace socialgate::testing
