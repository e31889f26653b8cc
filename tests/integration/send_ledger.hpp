// File: tests/integration/send_ledger.hpp
//
// What tools/fake-graph's records say about the sends it received: per message (the gateway
// puts its messageId in biz_opaque_callback_data) how often it was sent and accepted, and when
// each send arrived, in all and per path (one path per Meta phone number id). More than one
// acceptance of a message is a duplicate; none, for a message answered result: true, a loss.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_graph_process.hpp"

namespace socialgate::testing {

struct SendLedger {
  std::map<std::string, int> accepted;    // biz_opaque_callback_data -> acceptances
  std::map<std::string, int> sends;       // biz_opaque_callback_data -> sends, refused included
  std::vector<std::int64_t> send_millis;  // arrival time of every send, in order
  // The same per request path (e.g. /v23.0/<phone number id>/messages).
  std::map<std::string, std::vector<std::int64_t>> send_millis_by_path;
  std::vector<nlohmann::json> records;  // kept only when asked
  int evicted = 0;

  int Duplicates() const;
  int AcceptedCount(const std::string& id) const;
};

// Pages through GET /_fake/requests?path=messages&since=SEQ&limit=N (a test failure when the
// fake does not answer).
SendLedger ReadLedger(const FakeGraphProcess& fake, bool keep_records = false);

// The most of `millis` (arrival times, any order) in any window [t, t + window_ms) that starts
// at one of them.
std::size_t BusiestWindow(std::vector<std::int64_t> millis, std::int64_t window_ms = 1000);

}  // namespace socialgate::testing
