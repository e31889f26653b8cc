#include "fake-graph/recorder.hpp"

#include <functional>

#include "util/ids.hpp"

namespace socialgate::fake_graph {

namespace {

std::string Dump(const nlohmann::ordered_json& j) {
  // Recorded values are whatever the client sent: replace invalid UTF-8 rather than throw.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string Serialise(const RequestRecord& r, std::uint64_t seq) {
  nlohmann::ordered_json j;
  j["seq"] = seq;
  j["time"] = util::FormatUtcMillis(r.unix_millis);
  if (r.received_unix_micros != 0) j["received_unix_micros"] = r.received_unix_micros;
  j["method"] = r.method;
  j["path"] = r.path;
  if (!r.query.empty()) j["query"] = r.query;
  j["kind"] = PathKindName(r.kind);
  if (r.kind == PathKind::kTemplates) {
    j["waba_id"] = r.waba_id;
  } else if (r.kind == PathKind::kMediaInfo || r.kind == PathKind::kMediaDownload) {
    j["media_id"] = r.media_id;
  } else {
    j["phone_number_id"] = r.phone_number_id;
  }
  j["authorization"] = r.has_authorization;
  j["content_type"] = r.content_type;
  j["body_bytes"] = r.body_bytes;
  if (!r.json_body.empty()) {
    j["json"] = nlohmann::json::parse(r.json_body, nullptr, /*allow_exceptions=*/false);
  }
  if (!r.json_error.empty()) j["json_error"] = r.json_error;
  if (r.kind == PathKind::kMedia) {
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.fields) {
      if (!fields.contains(name)) fields[name] = value;
    }
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& f : r.files) {
      nlohmann::ordered_json file = {{"name", f.name}};
      file["filename"] = f.filename ? nlohmann::ordered_json(*f.filename) : nullptr;
      file["content_type"] = f.content_type;
      file["size"] = f.size;
      file["sha256"] = f.sha256;
      files.push_back(std::move(file));
    }
    j["fields"] = std::move(fields);
    j["files"] = std::move(files);
  }
  if (!r.biz_opaque_callback_data.empty()) {
    j["biz_opaque_callback_data"] = r.biz_opaque_callback_data;
  }
  nlohmann::ordered_json outcome;
  outcome["status"] = r.status;
  outcome["error_code"] = r.error_code ? nlohmann::ordered_json(*r.error_code) : nullptr;
  outcome["fault"] = r.fault ? nlohmann::ordered_json(FaultActionName(*r.fault)) : nullptr;
  if (r.fault_rule) outcome["fault_rule"] = *r.fault_rule;
  outcome["delay_ms"] = r.delay_ms;
  outcome["accepted"] = r.accepted;
  if (!r.response_id.empty()) outcome["id"] = r.response_id;
  j["outcome"] = std::move(outcome);
  return Dump(j);
}

// About what a kept record holds in memory (its JSON text is of the same order).
std::size_t RecordBytes(const RequestRecord& r) {
  std::size_t n = sizeof(RequestRecord) + r.path.size() + r.query.size() + r.waba_id.size() +
                  r.media_id.size() + r.content_type.size() + r.json_body.size() +
                  r.json_error.size() + r.biz_opaque_callback_data.size() + r.response_id.size();
  for (const auto& [name, value] : r.fields) n += name.size() + value.size();
  for (const auto& f : r.files) n += sizeof(f) + f.name.size() + f.content_type.size();
  return n;
}

}  // namespace

Recorder::Recorder(std::size_t max_records, std::size_t max_bytes)
    : max_records_(max_records == 0 ? 1 : max_records), max_bytes_(max_bytes) {}

std::uint64_t Recorder::IdHash(std::string_view id) { return std::hash<std::string_view>{}(id); }

std::uint64_t Recorder::Add(RequestRecord record) {
  const std::uint64_t seq = next_seq_++;
  ++total_;
  ++by_path_[std::string(PathKindName(record.kind))];
  if (record.fault == FaultAction::kDrop) {
    ++dropped_;
  } else {
    ++by_status_[std::to_string(record.status)];
  }
  if (record.fault) {
    ++faults_applied_;
    ++faults_by_action_[std::string(FaultActionName(*record.fault))];
  }
  if (record.accepted && record.kind == PathKind::kMedia) ++media_uploaded_;
  if (record.accepted && record.kind == PathKind::kMessages) {
    ++messages_accepted_;
    if (record.biz_opaque_callback_data.empty()) {
      ++accepted_without_id_;
    } else {
      const auto key = IdHash(record.biz_opaque_callback_data);
      auto it = accepted_ids_.find(key);
      if (it != accepted_ids_.end()) {
        if (++it->second == 2) ++duplicates_;
        ++duplicate_sends_;
      } else if (accepted_ids_.size() < kMaxTrackedIds) {
        accepted_ids_.emplace(key, 1);
      } else {
        ++untracked_ids_;
      }
    }
  }

  const std::size_t bytes = RecordBytes(record);
  kept_bytes_ += bytes;
  kept_.push_back(Kept{seq, std::move(record), bytes});
  while (kept_.size() > max_records_ || (kept_bytes_ > max_bytes_ && kept_.size() > 1)) {
    kept_bytes_ -= kept_.front().bytes;
    kept_.pop_front();
    ++evicted_;
  }
  return seq;
}

std::string Recorder::List(std::optional<PathKind> kind, std::uint64_t since,
                           std::size_t limit) const {
  std::string out = "{\"requests\":[";
  std::size_t n = 0;
  for (const auto& k : kept_) {
    if (n >= limit) break;
    if (k.seq <= since || (kind && k.record.kind != *kind)) continue;
    if (n++ > 0) out += ',';
    out += Serialise(k.record, k.seq);
  }
  out += "],\"evicted\":" + std::to_string(evicted_) + "}";
  return out;
}

nlohmann::ordered_json Recorder::Stats() const {
  nlohmann::ordered_json j;
  j["requests_total"] = total_;
  j["requests_kept"] = kept_.size();
  j["requests_evicted"] = evicted_;
  nlohmann::ordered_json by_path = {{"messages", 0},   {"media", 0},          {"templates", 0},
                                    {"media_info", 0}, {"media_download", 0}, {"other", 0}};
  for (const auto& [name, n] : by_path_) by_path[name] = n;
  j["by_path"] = std::move(by_path);
  j["by_status"] = by_status_;
  j["connections_dropped"] = dropped_;
  j["messages_accepted"] = messages_accepted_;
  j["media_uploaded"] = media_uploaded_;
  j["faults_applied"] = faults_applied_;
  j["faults_by_action"] = faults_by_action_;
  j["duplicates"] = duplicates_;
  j["duplicate_sends"] = duplicate_sends_;
  j["accepted_without_callback_id"] = accepted_without_id_;
  j["untracked_callback_ids"] = untracked_ids_;
  return j;
}

std::uint64_t Recorder::AcceptedCount(std::string_view id) const {
  const auto it = accepted_ids_.find(IdHash(id));
  return it == accepted_ids_.end() ? 0 : it->second;
}

void Recorder::Clear() {
  kept_.clear();
  kept_bytes_ = 0;
  total_ = evicted_ = 0;
  by_path_.clear();
  by_status_.clear();
  faults_by_action_.clear();
  messages_accepted_ = media_uploaded_ = faults_applied_ = dropped_ = 0;
  accepted_ids_.clear();
  duplicates_ = duplicate_sends_ = untracked_ids_ = accepted_without_id_ = 0;
}

}  // namespace socialgate::fake_graph
