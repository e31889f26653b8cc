#include "fake_graph_process.hpp"

#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

#include "http_client.hpp"

#ifndef FAKE_GRAPH_BINARY
#error "FAKE_GRAPH_BINARY must name the fake-graph executable (see CMakeLists.txt)"
#endif

namespace socialgate::testing {
namespace {

std::vector<std::string> FakeGraphArgs(const std::string& token) {
  std::vector<std::string> args = {"--listen", "127.0.0.1:0"};
  if (!token.empty()) {
    args.push_back("--token");
    args.push_back(token);
  }
  return args;
}

// Percent-encodes everything but unreserved characters (RFC 3986), for a query value.
std::string QueryEscape(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

::testing::AssertionResult ExpectStatus(const HttpResponse& r, long status, std::string_view what) {
  if (r.status == status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "fake-graph " << what << ": expected HTTP " << status << ", got " << r.Describe();
}

}  // namespace

FakeGraphProcess::FakeGraphProcess(std::string token)
    : ServerProcess({.name = "fake-graph",
                     .binary = FAKE_GRAPH_BINARY,
                     .args = FakeGraphArgs(token),
                     .ready_prefix = "fake-graph: listening on ",
                     .start_timeout = kStartTimeout}),
      token_(std::move(token)),
      client_(std::make_unique<HttpClient>()) {}

FakeGraphProcess::~FakeGraphProcess() = default;

::testing::AssertionResult FakeGraphProcess::SetFaults(const nlohmann::json& rules) {
  const nlohmann::json document =
      rules.is_object()
          ? rules
          : nlohmann::json{{"rules", rules.is_null() ? nlohmann::json::array() : rules}};
  const HttpResponse r = client_->PostJson(base_url() + "/_fake/faults", document.dump());
  return ExpectStatus(r, 200, "POST /_fake/faults " + document.dump());
}

::testing::AssertionResult FakeGraphProcess::ClearFaults() {
  HttpRequest request;
  request.method = "DELETE";
  request.url = base_url() + "/_fake/faults";
  return ExpectStatus(client_->Send(request), 200, "DELETE /_fake/faults");
}

nlohmann::json FakeGraphProcess::Faults() { return GetJson("/_fake/faults"); }

::testing::AssertionResult FakeGraphProcess::ClearRequests() {
  HttpRequest request;
  request.method = "DELETE";
  request.url = base_url() + "/_fake/requests";
  return ExpectStatus(client_->Send(request), 200, "DELETE /_fake/requests");
}

nlohmann::json FakeGraphProcess::Requests(std::string_view path) {
  std::string query = "/_fake/requests";
  if (!path.empty()) query += "?path=" + QueryEscape(path);
  const nlohmann::json answer = GetJson(query);
  if (!answer.is_object() || !answer.contains("requests") || !answer["requests"].is_array()) {
    ADD_FAILURE() << "fake-graph GET " << query << ": no \"requests\" array: " << answer.dump();
    return nlohmann::json::array();
  }
  return answer["requests"];
}

nlohmann::json FakeGraphProcess::SendsFor(std::string_view message_id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& record : Requests("messages")) {
    // Refused requests (e.g. a wrong token) carry the id only inside the parsed body.
    std::string id = record.value("biz_opaque_callback_data", "");
    if (id.empty() && record.contains("json") && record["json"].is_object()) {
      id = record["json"].value("biz_opaque_callback_data", "");
    }
    if (id == message_id) out.push_back(record);
  }
  return out;
}

nlohmann::json FakeGraphProcess::Stats() { return GetJson("/_fake/stats"); }

int FakeGraphProcess::AcceptedCount(std::string_view message_id) {
  const nlohmann::json answer = GetJson("/_fake/accepted?id=" + QueryEscape(message_id));
  if (!answer.is_object() || !answer.contains("accepted") ||
      !answer["accepted"].is_number_integer()) {
    ADD_FAILURE() << "fake-graph /_fake/accepted: unexpected answer " << answer.dump();
    return -1;
  }
  return answer["accepted"].get<int>();
}

::testing::AssertionResult FakeGraphProcess::SetWebhookTarget(std::string_view url,
                                                              std::string_view app_secret) {
  HttpRequest request;
  request.method = "PUT";
  request.url = base_url() + "/_fake/webhooks";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = nlohmann::json{{"url", url}, {"app_secret", app_secret}}.dump();
  return ExpectStatus(client_->Send(request), 200, "PUT /_fake/webhooks");
}

nlohmann::json FakeGraphProcess::Webhooks() { return GetJson("/_fake/webhooks"); }

::testing::AssertionResult FakeGraphProcess::SetTemplates(const nlohmann::json& listing) {
  HttpRequest request;
  request.method = "PUT";
  request.url = base_url() + "/_fake/templates";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = listing.dump();
  return ExpectStatus(client_->Send(request), 200, "PUT /_fake/templates");
}

::testing::AssertionResult FakeGraphProcess::PostTemplateStatus(std::string_view name,
                                                                std::string_view language,
                                                                std::string_view event,
                                                                std::string_view reason) {
  nlohmann::json body = {{"name", name}, {"language", language}, {"event", event}};
  if (!reason.empty()) body["reason"] = reason;
  const HttpResponse r = client_->PostJson(base_url() + "/_fake/template-status", body.dump());
  return ExpectStatus(r, 200, "POST /_fake/template-status " + body.dump());
}

nlohmann::json FakeGraphProcess::PostInbound(const nlohmann::json& message) {
  const HttpResponse r = client_->PostJson(base_url() + "/_fake/inbound", message.dump());
  EXPECT_EQ(r.status, 200) << "POST /_fake/inbound " << message.dump() << ": " << r.Describe();
  if (r.status != 200) return nullptr;
  return r.Json();
}

nlohmann::json FakeGraphProcess::GetJson(const std::string& path_and_query) {
  const HttpResponse r = client_->Get(base_url() + path_and_query);
  if (r.status != 200) {
    ADD_FAILURE() << "fake-graph GET " << path_and_query << ": " << r.Describe();
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return r.Json();
}

std::optional<std::int64_t> RecordMillis(const nlohmann::json& record) {
  const std::string text = record.value("time", "");
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
}

}  // namespace socialgate::testing
