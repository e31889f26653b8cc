// File: tests/integration/load_driver.hpp
//
// A small, bounded load generator for integration tests: `threads` threads, each with its own
// HttpClient, send the requests 0..count-1 (each index exactly once, taken in order from a
// shared counter) until all are sent or `time_limit` runs out, and keep every answer by index.
// Answers are parsed as the livechat envelope (result, messageId, status, error).
//
//   LoadSpec spec;
//   spec.count = 2000;
//   spec.request = [&](int i) { return SendRequest(i); };
//   LoadDriver driver(std::move(spec));
//   driver.Start();
//   while (driver.completed() < 1000) ...   // e.g. kill the server meanwhile
//   LoadReport report = driver.Wait();
//   std::vector<std::string> ids = report.AcceptedIds();
//
// Thread safety: Start, Wait and the destructor from one thread; completed() from any thread.
// `request` is called from the driver's threads, concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"

namespace socialgate::testing {

struct LoadSpec {
  int count = 0;
  int threads = 8;
  std::chrono::milliseconds time_limit{std::chrono::seconds(60)};
  // Builds request `index`; called once per index, from the driver's threads.
  std::function<HttpRequest(int index)> request;
  // After a transport failure (no HTTP answer, e.g. the server is down), the thread waits this
  // long before its next request, so a restart window does not burn through the whole count.
  std::chrono::milliseconds pause_after_transport_error{std::chrono::milliseconds(20)};
};

// One request's answer.
struct LoadAnswer {
  bool sent = false;    // false: not sent before the time limit
  long http = 0;        // 0: no HTTP answer (see transport_error)
  bool result = false;  // the envelope's "result"
  std::string message_id;
  std::string status;  // the envelope's "status" ("queued", "accepted", ...), if any
  std::string error;   // the envelope's "error", if any
  std::string transport_error;
};

struct LoadReport {
  std::vector<LoadAnswer> answers;  // by index
  int sent = 0;
  int transport_errors = 0;
  std::map<long, int> by_http_status;  // answered requests only
  std::chrono::milliseconds elapsed{0};
  bool timed_out = false;  // the time limit ended the run before every request was sent

  // The messageIds of answers with result true, in index order.
  std::vector<std::string> AcceptedIds() const;
  // "sent=N http{202:N,503:N} transport_errors=N elapsed_ms=N".
  std::string Summary() const;
};

class LoadDriver {
 public:
  explicit LoadDriver(LoadSpec spec);
  // Stops the threads (no new requests) and joins them.
  ~LoadDriver();
  LoadDriver(const LoadDriver&) = delete;
  LoadDriver& operator=(const LoadDriver&) = delete;

  void Start();
  // Waits for every thread (they end by themselves: all sent, or the time limit).
  LoadReport Wait();
  // Requests answered (or failed) so far.
  int completed() const { return completed_.load(); }

 private:
  void Run();

  const LoadSpec spec_;
  std::vector<LoadAnswer> answers_;  // each index written by the one thread that took it
  std::atomic<int> next_{0};
  std::atomic<int> completed_{0};
  std::atomic<bool> stop_{false};
  std::chrono::steady_clock::time_point started_at_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<std::thread> threads_;
};

// Start() then Wait().
LoadReport RunLoad(LoadSpec spec);

}  // namespace socialgate::testing
