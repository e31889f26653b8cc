// File: webhooks/notification_reading.hpp
//
// The pieces of reading a Meta callback that meta_notification.cpp (the envelope, statuses and
// template statuses) and meta_inbound.cpp (the customers' messages) share. Internal to the
// webhooks_codec module: it exposes simdjson, which the module links privately.
//
// Thread safety: pure functions; a Notes belongs to one reading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "webhooks/meta_notification.hpp"

namespace socialgate::webhooks::reading {

// Collects the sentences of what was not used: at most kMaxIgnoredNotes, then (when destroyed)
// one "and N more".
class Notes {
 public:
  explicit Notes(std::vector<std::string>& out) : out_(out) {}
  ~Notes() {
    if (dropped_ > 0) out_.push_back("and " + std::to_string(dropped_) + " more");
  }
  Notes(const Notes&) = delete;
  Notes& operator=(const Notes&) = delete;
  Notes(Notes&&) = delete;
  Notes& operator=(Notes&&) = delete;

  void Add(std::string sentence) {
    if (out_.size() < kMaxIgnoredNotes) {
      out_.push_back(std::move(sentence));
    } else {
      ++dropped_;
    }
  }

 private:
  std::vector<std::string>& out_;
  std::size_t dropped_ = 0;
};

// Printable ASCII of 1..max bytes: ids that are compared and stored as they are.
inline bool IsPlainId(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (const char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The string member `key` of `o`; nullopt when absent or not a string.
inline std::optional<std::string_view> StringMember(const simdjson::dom::object& o,
                                                    const char* key) {
  std::string_view value;
  if (o[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// The Unix seconds of member `key`, from 0 to the end of year 9999. Meta writes them as a
// string of digits ("1750030073"); an integer is taken too.
std::optional<std::int64_t> Seconds(const simdjson::dom::object& o, const char* key);

// A short string member as one line within `max` bytes (core::OneLine), "" when absent or not
// a string.
std::string ShortText(const simdjson::dom::object& o, const char* key, std::size_t max);

// Reads `value.messages` of one change of field "messages" (at `where`, for the notes) into
// out.inbound, with the change's `phone_number_id` (a plain id). meta_inbound.cpp.
void ReadInboundMessages(const simdjson::dom::object& value, const std::string& where,
                         std::string_view phone_number_id, MetaNotification& out, Notes& notes);

}  // namespace socialgate::webhooks::reading
