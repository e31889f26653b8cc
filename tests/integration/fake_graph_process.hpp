// File: tests/integration/fake_graph_process.hpp
//
// Runs tools/fake-graph (a fake WhatsApp Cloud API, see tools/fake-graph/README.md) for an
// integration test, on 127.0.0.1 and port 0, and calls its control API (/_fake/...): fault
// rules, the recorded requests, the counters.
//
//   FakeGraphProcess fake("TEST_TOKEN");
//   ASSERT_TRUE(fake.Start());
//   ASSERT_TRUE(fake.SetFaults({{{"action", "error"}, {"code", 131000}, {"count", 1}}}));
//   ... point a gateway's base_url at fake.base_url() and send ...
//   nlohmann::json sends = fake.Requests("messages");
//
// The control helpers never throw: a failed control call adds a gtest failure and returns an
// empty (discarded, or -1) result. Thread safety: as ServerProcess; the helpers share one
// HttpClient, so call them from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server_process.hpp"

namespace socialgate::testing {

class HttpClient;

class FakeGraphProcess : public ServerProcess {
 public:
  static constexpr std::chrono::seconds kStartTimeout{10};

  // `token`: the only bearer token fake-graph accepts (--token); empty accepts any non-empty
  // token.
  explicit FakeGraphProcess(std::string token = "TEST_TOKEN");
  ~FakeGraphProcess() override;

  const std::string& token() const { return token_; }

  // POST /_fake/faults: replaces the fault rules. `rules` is an array of rules, or a whole
  // {"rules": [...]} document. Fails with the fake's answer when it refuses a rule.
  ::testing::AssertionResult SetFaults(const nlohmann::json& rules);
  // DELETE /_fake/faults: no faults.
  ::testing::AssertionResult ClearFaults();
  // GET /_fake/faults: {"seed": N, "rules": [{..., "applied": n}]}.
  nlohmann::json Faults();
  // DELETE /_fake/requests: clears the records and the counters (not the fault rules).
  ::testing::AssertionResult ClearRequests();

  // GET /_fake/requests[?path=...]: the "requests" array, oldest first. `path` is "messages",
  // "media", "other" or empty for all.
  nlohmann::json Requests(std::string_view path = "");
  // The recorded sends (/messages) whose biz_opaque_callback_data is `message_id`, refused ones
  // included.
  nlohmann::json SendsFor(std::string_view message_id);
  // GET /_fake/stats.
  nlohmann::json Stats();
  // GET /_fake/accepted?id=X: how many sends carrying `message_id` were accepted; -1 on error.
  int AcceptedCount(std::string_view message_id);

  // PUT /_fake/webhooks: status webhooks of the sends accepted from now on go to `url` (e.g. a
  // gateway's base_url() + "/webhooks/meta"), signed with `app_secret`; so do the retries of
  // those still waiting. The fake starts with no target: a gateway started after it can be
  // pointed at it, and it at the gateway.
  ::testing::AssertionResult SetWebhookTarget(std::string_view url, std::string_view app_secret);
  // PUT /_fake/templates: the template listing GET /{version}/{waba-id}/message_templates
  // serves from now on (`listing`: {"data": [...]}, Meta's shape).
  ::testing::AssertionResult SetTemplates(const nlohmann::json& listing);
  // POST /_fake/template-status: the template's status in the listing becomes `event`, and a
  // signed message_template_status_update webhook goes to the webhook target, if one is set.
  ::testing::AssertionResult PostTemplateStatus(std::string_view name, std::string_view language,
                                                std::string_view event,
                                                std::string_view reason = "");
  // POST /_fake/inbound: a customer's message (tools/fake-graph/inbound_message.hpp), posted as
  // a signed `messages` webhook to the webhook target; the fake's answer ({"wamid", ...}), or
  // null (with a test failure) when it refused.
  nlohmann::json PostInbound(const nlohmann::json& message);
  // GET /_fake/webhooks: the webhook counters ("answered_2xx", "unanswered", "pending", ...).
  nlohmann::json Webhooks();

 private:
  nlohmann::json GetJson(const std::string& path_and_query);

  std::string token_;
  std::unique_ptr<HttpClient> client_;
};

// A fake-graph record's "time" ("2026-11-25T12:20:04.381Z") in Unix milliseconds.
std::optional<std::int64_t> RecordMillis(const nlohmann::json& record);

}  // namespace socialgate::testing
