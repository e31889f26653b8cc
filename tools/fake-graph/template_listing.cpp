#include "fake-graph/template_listing.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <utility>

#include "fake-graph/text_util.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::fake_graph {

namespace {

using OJson = nlohmann::ordered_json;

constexpr int kMaxListingJsonDepth = 64;
// A templates file is a test fixture: anything near this size is a mistake.
constexpr std::uintmax_t kMaxFileBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxIdDigits = 19;  // 19 digits always fit in 64 bits
constexpr std::size_t kMaxCursorOffsetDigits = 12;
constexpr std::size_t kMaxLimitDigits = 7;  // enough to say 1000 with leading zeros
constexpr std::size_t kMaxEventChars = 64;
constexpr std::size_t kMaxHostChars = 255;

std::string Dump(const OJson& j) {
  // The objects are whatever a test gave: replace invalid UTF-8 rather than throw.
  return j.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

// "123" -> 123 for 1 to max_digits ASCII digits; nullopt otherwise.
std::optional<std::uint64_t> ParseDigits(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// RFC 4648 section 5 (URL-safe, no padding); nullopt on a character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view s) {
  std::string out;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : s) {
    std::uint32_t v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<std::uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<std::uint32_t>(c - '0' + 52);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    bits = ((bits << 6) | v) & 0xFFFFFF;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return out;
}

// The member `key` of `t` as a non-empty string, or the sentence saying it is not.
tl::expected<std::string, std::string> RequiredString(const OJson& t, const char* key,
                                                      const std::string& where) {
  const auto it = t.find(key);
  if (it == t.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return tl::make_unexpected(where + "." + key + " must be a non-empty string");
  }
  return it->get<std::string>();
}

tl::expected<ListedTemplate, std::string> ReadTemplate(OJson object, const std::string& where) {
  if (!object.is_object()) return tl::make_unexpected(where + " must be an object");
  ListedTemplate t;
  const auto id = object.find("id");
  std::optional<std::uint64_t> id_value;
  if (id != object.end() && id->is_string()) {
    id_value = ParseDigits(id->get_ref<const std::string&>(), kMaxIdDigits);
  } else if (id != object.end() && id->is_number_unsigned()) {
    id_value = id->get<std::uint64_t>();
  }
  if (!id_value) {
    return tl::make_unexpected(where + ".id must be a string of 1 to 19 digits (Meta's ids)");
  }
  t.id = *id_value;
  auto name = RequiredString(object, "name", where);
  if (!name) return tl::make_unexpected(name.error());
  auto language = RequiredString(object, "language", where);
  if (!language) return tl::make_unexpected(language.error());
  auto status = RequiredString(object, "status", where);
  if (!status) return tl::make_unexpected(status.error());
  t.name = std::move(*name);
  t.language = std::move(*language);
  t.status = std::move(*status);
  t.object = std::move(object);
  return t;
}

bool IsEvent(std::string_view event) {
  if (event.empty() || event.size() > kMaxEventChars) return false;
  return std::all_of(event.begin(), event.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

}  // namespace

tl::expected<TemplateList, std::string> ParseTemplateListing(std::string_view text) {
  if (!util::JsonNestingWithin(text, kMaxListingJsonDepth)) {
    return tl::make_unexpected("the listing nests deeper than " + std::to_string(kMaxListingJsonDepth) +
                               " levels");
  }
  auto body = OJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return tl::make_unexpected("the listing is not valid JSON");
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
    return tl::make_unexpected("the listing must be {\"data\": [template objects...]}");
  }
  TemplateList templates;
  std::set<std::pair<std::string, std::string>> keys;
  auto& data = body["data"];
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string where = "data[" + std::to_string(i) + "]";
    auto t = ReadTemplate(std::move(data[i]), where);
    if (!t) return tl::make_unexpected(t.error());
    if (!keys.emplace(t->name, t->language).second) {
      return tl::make_unexpected(where + ": template '" + t->name + "' in language '" +
                                 t->language + "' is listed twice");
    }
    templates.push_back(std::move(*t));
  }
  return templates;
}

tl::expected<TemplateList, std::string> LoadTemplateFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected("cannot read '" + path + "': " + std::strerror(errno));
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return tl::make_unexpected("'" + path + "' is larger than " + std::to_string(kMaxFileBytes) +
                                 " bytes");
    }
  }
  if (in.bad()) return tl::make_unexpected("cannot read '" + path + "': " + std::strerror(errno));
  auto templates = ParseTemplateListing(text);
  if (!templates) return tl::make_unexpected("'" + path + "': " + templates.error());
  return templates;
}

std::string TemplateListingJson(const TemplateList& templates) {
  OJson data = OJson::array();
  for (const auto& t : templates) data.push_back(t.object);
  return Dump(OJson{{"data", std::move(data)}});
}

tl::expected<ListingQuery, std::string> ParseListingQuery(std::string_view raw_query) {
  ListingQuery query;
  std::set<std::string> seen;
  for (auto& [key, value] : ParseQuery(raw_query)) {
    if (!seen.insert(key).second) continue;  // the first of repeated parameters counts
    if (key == "limit") {
      const auto limit = ParseDigits(value, kMaxLimitDigits);
      if (!limit || *limit < 1 || *limit > kMaxListingLimit) {
        return tl::make_unexpected("Param limit must be an integer from 1 to " +
                                   std::to_string(kMaxListingLimit) + ", not '" + value + "'");
      }
      query.limit = static_cast<std::size_t>(*limit);
    } else if (key == "after") {
      const auto offset = DecodeCursor(value);
      if (!offset) {
        return tl::make_unexpected("Param after must be a cursor from paging.cursors, not '" +
                                   value + "'");
      }
      query.offset = *offset;
    } else if (key == "before") {
      return tl::make_unexpected("Param before: this fake does not page backwards; use after");
    } else if (key == "name") {
      query.name = std::move(value);
    } else if (key == "status") {
      query.status = std::move(value);
    } else if (key == "language") {
      query.language = std::move(value);
    }
  }
  return query;
}

std::string EncodeCursor(std::size_t offset) { return Base64UrlEncode(std::to_string(offset)); }

std::optional<std::size_t> DecodeCursor(std::string_view cursor) {
  const auto text = Base64UrlDecode(cursor);
  if (!text) return std::nullopt;
  const auto offset = ParseDigits(*text, kMaxCursorOffsetDigits);
  // Only the exact text EncodeCursor gives: no leading zeros, no stray bits.
  if (!offset || EncodeCursor(static_cast<std::size_t>(*offset)) != cursor) return std::nullopt;
  return static_cast<std::size_t>(*offset);
}

std::string RequestUrl(std::string_view host_header, std::string_view path) {
  std::string_view host = host_header;
  const bool usable =
      !host.empty() && host.size() <= kMaxHostChars &&
      std::all_of(host.begin(), host.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  if (!usable) host = "localhost";
  std::string url = "http://";
  url += host;
  url += path;
  return url;
}

std::string ListingPage(const TemplateList& templates, const ListingQuery& query,
                        std::string_view url, std::string_view raw_query) {
  std::vector<const ListedTemplate*> selected;
  for (const auto& t : templates) {
    if ((query.name.empty() || t.name == query.name) &&
        (query.status.empty() || t.status == query.status) &&
        (query.language.empty() || t.language == query.language)) {
      selected.push_back(&t);
    }
  }
  if (query.offset >= selected.size()) return R"({"data":[]})";
  // offset has at most 12 digits and limit at most 1000: no overflow.
  const std::size_t end = std::min(selected.size(), query.offset + query.limit);
  OJson data = OJson::array();
  for (std::size_t i = query.offset; i < end; ++i) data.push_back(selected[i]->object);
  OJson paging;
  paging["cursors"] = OJson{{"before", EncodeCursor(query.offset)}, {"after", EncodeCursor(end)}};
  if (end < selected.size()) {
    // The same query, its `after` replaced (the cursor needs no escaping).
    std::string next(url);
    char separator = '?';
    std::string_view rest = raw_query;
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const auto item = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (item.empty() || core::FormDecode(item.substr(0, item.find('='))) == "after") continue;
      next += separator;
      next += item;
      separator = '&';
    }
    next += separator;
    next += "after=" + EncodeCursor(end);
    paging["next"] = std::move(next);
  }
  OJson body;
  body["data"] = std::move(data);
  body["paging"] = std::move(paging);
  return Dump(body);
}

TemplateListing::TemplateListing(TemplateList initial)
    : initial_(std::make_shared<const TemplateList>(std::move(initial))), current_(initial_) {}

std::shared_ptr<const TemplateList> TemplateListing::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void TemplateListing::Replace(TemplateList templates) {
  auto replacement = std::make_shared<const TemplateList>(std::move(templates));
  std::lock_guard lock(mutex_);
  current_ = std::move(replacement);
}

void TemplateListing::Restore() {
  std::lock_guard lock(mutex_);
  current_ = initial_;
}

std::optional<ListedTemplate> TemplateListing::SetStatus(std::string_view name,
                                                         std::string_view language,
                                                         std::string_view status) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(current_->begin(), current_->end(), [&](const ListedTemplate& t) {
    return t.name == name && t.language == language;
  });
  if (it == current_->end()) return std::nullopt;
  // Copy on write: snapshots handed out keep what they saw.
  auto changed = std::make_shared<TemplateList>(*current_);
  ListedTemplate& t = (*changed)[static_cast<std::size_t>(std::distance(current_->begin(), it))];
  t.status = std::string(status);
  t.object["status"] = t.status;
  ListedTemplate result = t;
  current_ = std::move(changed);
  return result;
}

tl::expected<TemplateStatusChange, std::string> ParseTemplateStatusChange(std::string_view body) {
  if (!util::JsonNestingWithin(body, kMaxListingJsonDepth)) {
    return tl::make_unexpected("the body nests deeper than " + std::to_string(kMaxListingJsonDepth) +
                               " levels");
  }
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return tl::make_unexpected(
        "the body must be a JSON object {\"name\": ..., \"language\": ..., \"event\": ...}");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "language" && key != "event" && key != "reason") {
      return tl::make_unexpected("unknown field '" + key +
                                 "' (name, language, event and reason are taken)");
    }
  }
  TemplateStatusChange change;
  for (const auto& [key, out] : {std::pair<const char*, std::string*>{"name", &change.name},
                                 {"language", &change.language}}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return tl::make_unexpected(std::string(key) + " must be a non-empty string");
    }
    *out = it->get<std::string>();
  }
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string() || !IsEvent(event->get_ref<const std::string&>())) {
    return tl::make_unexpected(
        "event must be 1 to 64 upper-case letters and underscores, as Meta's events "
        "(APPROVED, PAUSED, REJECTED, DISABLED...)");
  }
  change.event = event->get<std::string>();
  if (const auto reason = j.find("reason"); reason != j.end()) {
    if (!reason->is_string() || reason->get_ref<const std::string&>().empty()) {
      return tl::make_unexpected("reason must be a non-empty string (\"NONE\" when omitted)");
    }
    change.reason = reason->get<std::string>();
  }
  return change;
}

}  // namespace socialgate::fake_graph
