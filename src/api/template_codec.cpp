#include "api/template_codec.hpp"

#include <array>
#include <string_view>

#include <simdjson.h>

#include "api/json_body.hpp"

namespace socialgate::api {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
namespace dom = simdjson::dom;

// What a thread's parser keeps between requests: plenty for any request without media.
constexpr std::size_t kSmallTemplateBytes = 64 * 1024;

core::Error TemplateMalformed(std::string message) {
  return core::Error{ErrorCode::kMalformed, std::move(message), {}};
}

Result<std::string> ReadString(dom::element e, const std::string& field) {
  std::string_view v;
  if (e.get(v) != simdjson::SUCCESS) {
    return tl::unexpected(
        TemplateMalformed(field + ": must be a string, not " + JsonTypeName(e.type())));
  }
  return std::string(v);
}

Result<std::vector<std::string>> ReadStringArray(dom::element e, const std::string& field) {
  dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) {
    return tl::unexpected(
        TemplateMalformed(field + ": must be an array of strings, not " + JsonTypeName(e.type())));
  }
  std::vector<std::string> out;
  out.reserve(arr.size());
  std::size_t i = 0;
  for (dom::element item : arr) {
    SG_ASSIGN_OR_RETURN(auto s, ReadString(item, field + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
    ++i;
  }
  return out;
}

Result<core::RawMediaHeader> ReadHeader(dom::object obj) {
  core::RawMediaHeader h;
  struct Field {
    const char* name;
    std::string* out;
    bool seen = false;
  };
  std::array<Field, 4> fields{{{"type", &h.type},
                               {"data", &h.data},
                               {"documentType", &h.document_type},
                               {"fileName", &h.file_name}}};
  for (auto [key, value] : obj) {
    for (auto& f : fields) {
      if (key != f.name) continue;
      const std::string name = std::string("header.") + f.name;
      if (f.seen) return tl::unexpected(TemplateMalformed(name + ": appears more than once"));
      f.seen = true;
      SG_ASSIGN_OR_RETURN(auto s, ReadString(value, name));
      *f.out = std::move(s);
    }
  }
  for (const auto& f : fields) {
    if (!f.seen) {
      return tl::unexpected(TemplateMalformed(std::string("header.") + f.name + ": is required"));
    }
  }
  return h;
}

dom::parser NewTemplateParser() {
  dom::parser p;
  // On failure the parser allocates on first use instead; the depth limit is then the default.
  if (p.allocate(kSmallTemplateBytes, kMaxJsonDepth) != simdjson::SUCCESS) return dom::parser{};
  return p;
}

Result<core::TemplateRequest> Decode(dom::parser& parser, std::string& body) {
  SG_ASSIGN_OR_RETURN(auto parsed, ParseJsonBody(parser, body));
  const dom::element root = parsed;
  std::string().swap(body);  // the parser holds its own copy of every string
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return tl::unexpected(TemplateMalformed(std::string("body: must be a JSON object, not ") +
                                            JsonTypeName(root.type())));
  }

  core::TemplateRequest req;
  enum Index { kCustomer, kService, kTemplate, kLanguage, kHeader, kHeaderData, kBody, kUrl };
  constexpr std::array<const char*, 8> kNames{
      "customerPhoneNumber", "servicePhoneNumber", "templateName", "language", "header",
      "headerData",          "bodyData",           "dynamicUrl"};
  std::array<bool, 8> seen{};
  for (auto [key, value] : obj) {
    int index = -1;
    for (int i = 0; i < static_cast<int>(kNames.size()); ++i) {
      if (key == kNames[i]) index = i;
    }
    if (index < 0) continue;  // unknown fields are ignored, as the contract says
    const std::string name = kNames[index];
    if (seen[index]) return tl::unexpected(TemplateMalformed(name + ": appears more than once"));
    seen[index] = true;
    Result<std::string> s;
    Result<std::vector<std::string>> list;
    switch (index) {
      case kCustomer:
      case kService:
      case kTemplate:
      case kLanguage:
        s = ReadString(value, name);
        if (!s) return tl::unexpected(s.error());
        (index == kCustomer   ? req.customer_phone_number
         : index == kService  ? req.service_phone_number
         : index == kTemplate ? req.template_name
                              : req.language) = std::move(*s);
        break;
      case kHeader:
        if (value.is_null()) break;
        if (dom::object h; value.get(h) == simdjson::SUCCESS) {
          SG_ASSIGN_OR_RETURN(auto header, ReadHeader(h));
          req.header = std::move(header);
          break;
        }
        return tl::unexpected(TemplateMalformed("header: must be an object or null, not " +
                                                std::string(JsonTypeName(value.type()))));
      default:
        list = ReadStringArray(value, name);
        if (!list) return tl::unexpected(list.error());
        (index == kHeaderData ? req.header_data
         : index == kBody     ? req.body_data
                              : req.dynamic_url) = std::move(*list);
        break;
    }
  }
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (!seen[i])
      return tl::unexpected(TemplateMalformed(std::string(kNames[i]) + ": is required"));
  }
  return req;
}

}  // namespace

Result<core::TemplateRequest> DecodeTemplateRequest(std::string body) {
  // One parser per thread: it keeps its buffers between requests...
  thread_local dom::parser parser = NewTemplateParser();
  auto decoded = Decode(parser, body);
  // ...but not those of a media request (several times the document's size) for good.
  if (parser.capacity() > kSmallTemplateBytes) parser = NewTemplateParser();
  return decoded;
}

}  // namespace socialgate::api
