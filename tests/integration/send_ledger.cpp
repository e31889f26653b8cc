#include "send_ledger.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "http_client.hpp"

namespace socialgate::testing {

int SendLedger::Duplicates() const {
  return static_cast<int>(
      std::count_if(accepted.begin(), accepted.end(), [](const auto& e) { return e.second > 1; }));
}

int SendLedger::AcceptedCount(const std::string& id) const {
  auto it = accepted.find(id);
  return it == accepted.end() ? 0 : it->second;
}

SendLedger ReadLedger(const FakeGraphProcess& fake, bool keep_records) {
  constexpr int kPage = 1000;
  SendLedger ledger;
  HttpClient client;
  std::uint64_t since = 0;
  for (int page = 0; page < 1000; ++page) {
    const HttpResponse r = client.Get(fake.base_url() + "/_fake/requests?path=messages&since=" +
                                      std::to_string(since) + "&limit=" + std::to_string(kPage));
    const nlohmann::json j = r.Json();
    if (r.status != 200 || !j.is_object() || !j.contains("requests")) {
      ADD_FAILURE() << "fake-graph /_fake/requests: " << r.Describe();
      break;
    }
    ledger.evicted = j.value("evicted", 0);
    const nlohmann::json& requests = j["requests"];
    for (const nlohmann::json& record : requests) {
      since = std::max<std::uint64_t>(since, record.value("seq", std::uint64_t{0}));
      const std::string id = record.value("biz_opaque_callback_data", "");
      ++ledger.sends[id];
      if (record.contains("outcome") && record["outcome"].value("accepted", false)) {
        ++ledger.accepted[id];
      }
      if (auto at = RecordMillis(record)) {
        ledger.send_millis.push_back(*at);
        ledger.send_millis_by_path[record.value("path", "")].push_back(*at);
      }
      if (keep_records) ledger.records.push_back(record);
    }
    if (requests.size() < static_cast<std::size_t>(kPage)) break;
  }
  return ledger;
}

std::size_t BusiestWindow(std::vector<std::int64_t> millis, std::int64_t window_ms) {
  std::sort(millis.begin(), millis.end());
  std::size_t busiest = 0;
  for (std::size_t i = 0; i < millis.size(); ++i) {
    const auto end = std::lower_bound(millis.begin(), millis.end(), millis[i] + window_ms);
    busiest = std::max(busiest, static_cast<std::size_t>(end - millis.begin()) - i);
  }
  return busiest;
}

}  // namespace socialgate::testing
