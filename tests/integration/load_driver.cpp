#include "load_driver.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

namespace socialgate::testing {
namespace {

std::string StringField(const nlohmann::json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) return "";
  return j[name].get<std::string>();
}

}  // namespace

std::vector<std::string> LoadReport::AcceptedIds() const {
  std::vector<std::string> ids;
  for (const LoadAnswer& a : answers) {
    if (a.sent && a.result && !a.message_id.empty()) ids.push_back(a.message_id);
  }
  return ids;
}

std::string LoadReport::Summary() const {
  std::string out = "sent=" + std::to_string(sent) + " http{";
  bool first = true;
  for (const auto& [status, n] : by_http_status) {
    out += (first ? "" : ",") + std::to_string(status) + ":" + std::to_string(n);
    first = false;
  }
  out += "} transport_errors=" + std::to_string(transport_errors) +
         " elapsed_ms=" + std::to_string(elapsed.count()) + (timed_out ? " (timed out)" : "");
  return out;
}

LoadDriver::LoadDriver(LoadSpec spec)
    : spec_(std::move(spec)), answers_(static_cast<std::size_t>(std::max(spec_.count, 0))) {}

LoadDriver::~LoadDriver() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void LoadDriver::Start() {
  started_at_ = std::chrono::steady_clock::now();
  deadline_ = started_at_ + spec_.time_limit;
  for (int i = 0; i < std::max(spec_.threads, 1); ++i) threads_.emplace_back([this] { Run(); });
}

void LoadDriver::Run() {
  HttpClient client;
  for (;;) {
    if (stop_ || std::chrono::steady_clock::now() >= deadline_) return;
    const int index = next_.fetch_add(1);
    if (index >= spec_.count) return;
    LoadAnswer& answer = answers_[static_cast<std::size_t>(index)];
    const HttpResponse r = client.Send(spec_.request(index));
    answer.sent = true;
    answer.http = r.status;
    answer.transport_error = r.transport_error;
    const nlohmann::json j = r.Json();
    answer.result = j.is_object() && j.contains("result") && j["result"].is_boolean() &&
                    j["result"].get<bool>();
    answer.message_id = StringField(j, "messageId");
    answer.status = StringField(j, "status");
    answer.error = StringField(j, "error");
    completed_.fetch_add(1);
    if (r.status == 0) std::this_thread::sleep_for(spec_.pause_after_transport_error);
  }
}

LoadReport LoadDriver::Wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  LoadReport report;
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_at_);
  for (const LoadAnswer& a : answers_) {
    if (!a.sent) {
      report.timed_out = true;
      continue;
    }
    ++report.sent;
    if (a.http == 0) {
      ++report.transport_errors;
    } else {
      ++report.by_http_status[a.http];
    }
  }
  report.answers = answers_;
  return report;
}

LoadReport RunLoad(LoadSpec spec) {
  LoadDriver driver(std::move(spec));
  driver.Start();
  return driver.Wait();
}

}  // namespace socialgate::testing
