// File: fake-graph/recorder.hpp
//
// The record of every Graph request the fake received and what it answered, for the tests to
// query (GET /_fake/requests, /_fake/stats, /_fake/accepted). A record keeps the request's body
// as it came and is serialised to JSON only when listed: recording stays cheap while a
// benchmark sends thousands of messages a second, and listing (after the run) pays. The oldest
// records are evicted beyond a count and a byte budget; the counters in Stats() cover every
// request since the last Clear(), evicted or not.
//
// Duplicates: the gateway puts its own message id in the message's biz_opaque_callback_data
// (Meta echoes that field in webhooks). An id accepted more than once means the gateway sent
// the same message twice. Ids are kept as 64-bit hashes, at most kMaxTrackedIds of them.
//
// Thread safety: none; FakeGraph serialises calls under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake-graph/faults.hpp"

namespace socialgate::fake_graph {

struct RecordedFile {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::size_t size = 0;
  std::string sha256;
};

struct RequestRecord {
  // What was asked.
  std::int64_t unix_millis = 0;  // when the fake handled it
  // When its bytes reached the host (the kernel's receive timestamp), 0 when unknown: the
  // sender's timing, without the fake's own scheduling delays.
  std::int64_t received_unix_micros = 0;
  std::string method;
  std::string path;
  std::string query;  // as it came (not decoded), "" when none
  PathKind kind = PathKind::kOther;
  std::string phone_number_id;  // messages and media
  std::string waba_id;          // templates: the id in the path
  std::string media_id;         // media_info and media_download: the id in the path
  bool has_authorization = false;
  std::string content_type;
  std::size_t body_bytes = 0;
  std::string json_body;                                    // the body, for JSON bodies that parse
  std::string json_error;                                   // why a JSON body did not parse
  std::vector<std::pair<std::string, std::string>> fields;  // multipart non-file parts
  std::vector<RecordedFile> files;                          // multipart file parts
  std::string biz_opaque_callback_data;                     // "" when absent

  // What was answered.
  unsigned status = 0;
  std::optional<int> error_code;     // the Meta error code, when the answer was a Meta error
  std::optional<FaultAction> fault;  // the fault applied, if any
  std::optional<std::size_t> fault_rule;
  std::int64_t delay_ms = 0;
  bool accepted = false;    // a message or media the fake counts as sent/stored
  std::string response_id;  // the wamid or media id given (or that would have been given)
};

class Recorder {
 public:
  static constexpr std::size_t kMaxTrackedIds = 2'000'000;

  Recorder(std::size_t max_records, std::size_t max_bytes);

  // Assigns the next sequence number (returned), updates the counters and keeps the record.
  std::uint64_t Add(RequestRecord record);

  // {"requests":[...]} of the kept records with sequence > since, oldest first, at most limit,
  // of one path kind when given.
  std::string List(std::optional<PathKind> kind, std::uint64_t since, std::size_t limit) const;

  nlohmann::ordered_json Stats() const;

  // How many times a message with this biz_opaque_callback_data was accepted.
  std::uint64_t AcceptedCount(std::string_view id) const;

  // Forgets records, counters and accepted ids; sequence numbers keep increasing.
  void Clear();

 private:
  struct Kept {
    std::uint64_t seq;
    RequestRecord record;
    std::size_t bytes;  // what it costs the byte budget
  };

  static std::uint64_t IdHash(std::string_view id);

  const std::size_t max_records_;
  const std::size_t max_bytes_;
  std::deque<Kept> kept_;
  std::size_t kept_bytes_ = 0;
  std::uint64_t next_seq_ = 1;

  std::uint64_t total_ = 0;
  std::uint64_t evicted_ = 0;
  std::map<std::string, std::uint64_t> by_path_;
  std::map<std::string, std::uint64_t> by_status_;
  std::map<std::string, std::uint64_t> faults_by_action_;
  std::uint64_t messages_accepted_ = 0;
  std::uint64_t media_uploaded_ = 0;
  std::uint64_t faults_applied_ = 0;
  std::uint64_t dropped_ = 0;

  std::unordered_map<std::uint64_t, std::uint32_t> accepted_ids_;
  std::uint64_t duplicates_ = 0;       // ids accepted more than once
  std::uint64_t duplicate_sends_ = 0;  // acceptances beyond each id's first
  std::uint64_t untracked_ids_ = 0;    // accepted ids not tracked (over kMaxTrackedIds)
  std::uint64_t accepted_without_id_ = 0;
};

}  // namespace socialgate::fake_graph
