#include "fake-graph/fake_graph.hpp"

#include <chrono>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fake-graph/json_response.hpp"
#include "fake-graph/meta_error.hpp"
#include "fake-graph/multipart.hpp"
#include "fake-graph/text_util.hpp"
#include "fake-graph/validate.hpp"
#include "util/ids.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::fake_graph {

namespace {

using OJson = nlohmann::ordered_json;

constexpr int kInvalidParameter = 100;
constexpr int kInvalidToken = 190;
constexpr unsigned kUnauthorized = 401;
constexpr std::string_view kControlPrefix = "/_fake/";
// The media URL GET /{version}/{media-id} answers: a Graph request, not a control one.
constexpr std::string_view kMediaDownloadPrefix = "/_fake/media-download/";
constexpr std::size_t kMaxRecordedFieldBytes = 4096;
// JSON bodies nested deeper are refused unparsed: recording one re-parses and dumps it, which
// recurses once per level (a body of 100,000 '[' would overflow the stack).
constexpr int kMaxJsonDepth = 64;

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto segment = path.substr(0, slash);
    if (!segment.empty()) out.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// "v23.0"
bool IsApiVersion(std::string_view s) {
  if (s.size() < 4 || s[0] != 'v') return false;
  const auto dot = s.find('.');
  if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (i != dot && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

std::optional<std::uint64_t> ParseUnsigned(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// A refusal decided before the lock; the response is built under it (it needs an fbtrace id).
struct Refusal {
  int code = kInvalidParameter;
  unsigned status = 400;
  std::string title;  // "" = the code's default
  std::string details;
};

// The options as FakeGraph uses them: the webhooks name Options::waba_id.
Options WithWabaId(Options options) {
  if (options.webhooks) options.webhooks->waba_id = options.waba_id;
  return options;
}

}  // namespace

FakeGraph::FakeGraph(Options options, std::unique_ptr<WebhookPoster> poster)
    : options_(WithWabaId(std::move(options))),
      faults_(options_.seed),
      recorder_(options_.max_records, options_.max_record_bytes),
      id_rng_(std::random_device{}()),
      templates_(options_.templates),
      media_(options_.max_media_bytes) {
  if (options_.webhooks) {
    if (!poster) throw std::invalid_argument("fake-graph: webhooks need a WebhookPoster");
    webhooks_ = std::make_unique<WebhookDispatcher>(*options_.webhooks, std::move(poster));
  }
  // Ids must not repeat across runs (a gateway database outlives a fake restart), so they
  // come from random_device, not from --seed.
  media_id_base_ = 1'000'000'000'000'000ULL + id_rng_() % 8'000'000'000'000'000ULL;
}

FakeGraph::~FakeGraph() { Stop(); }

void FakeGraph::Stop() { timers_.Stop(); }

void FakeGraph::CloseWebhooks() {
  if (webhooks_) webhooks_->Close();
}

bool FakeGraph::StopWebhooks(std::chrono::steady_clock::time_point deadline) {
  return webhooks_ ? webhooks_->Drain(deadline) : true;
}

std::string FakeGraph::NewFbtraceId() {
  std::string bytes(16, '\0');
  for (auto& b : bytes) b = static_cast<char>(id_rng_() & 0xFF);
  return "A" + Base64UrlEncode(bytes);
}

std::string FakeGraph::NewWamid() {
  // 10 random bytes (unique across runs) then 8 bytes of counter (unique within the run):
  // 18 bytes encode to 24 base64 characters with no padding.
  const std::uint64_t n = ++message_counter_;
  std::string bytes;
  for (int i = 0; i < 10; ++i) bytes.push_back(static_cast<char>(id_rng_() & 0xFF));
  for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(n >> shift));
  return "wamid." + Base64UrlEncode(bytes);
}

std::string FakeGraph::NewMediaId() { return std::to_string(media_id_base_ + ++media_counter_); }

void FakeGraph::Handle(http::HttpRequest&& request, http::Responder respond) {
  if (request.path == "/healthz") {
    respond(JsonResponse(200, OJson{{"status", "ok"}}));
    return;
  }
  if (request.path.rfind(kControlPrefix, 0) == 0 &&
      request.path.rfind(kMediaDownloadPrefix, 0) != 0) {
    respond(HandleControl(request));
    return;
  }
  HandleGraph(std::move(request), std::move(respond));
}

void FakeGraph::HandleGraph(http::HttpRequest&& request, http::Responder respond) {
  RequestRecord record;
  record.unix_millis = util::NowUnixMillis();
  record.received_unix_micros = request.received_unix_micros;
  record.method = request.method;
  record.path = request.path;
  record.query = request.query.substr(0, kMaxRecordedFieldBytes);
  record.has_authorization = !request.Header("authorization").empty();
  record.content_type = std::string(request.Header("content-type"));
  record.body_bytes = request.body.size();

  const auto segments = PathSegments(request.path);
  const bool download = request.path.rfind(kMediaDownloadPrefix, 0) == 0;
  if (download && segments.size() == 3) {
    record.kind = PathKind::kMediaDownload;
    record.media_id = std::string(segments[2]);
  } else if (!download && segments.size() == 2 && ParseUnsigned(segments[1])) {
    record.kind = PathKind::kMediaInfo;
    record.media_id = std::string(segments[1]);
  } else if (!download && segments.size() == 3) {
    if (segments[2] == "messages") record.kind = PathKind::kMessages;
    if (segments[2] == "media") record.kind = PathKind::kMedia;
    if (segments[2] == "message_templates") {
      record.kind = PathKind::kTemplates;
      record.waba_id = std::string(segments[1]);
    } else if (record.kind != PathKind::kOther) {
      record.phone_number_id = std::string(segments[1]);
    }
  }
  const bool is_read = record.kind == PathKind::kTemplates || record.kind == PathKind::kMediaInfo ||
                       record.kind == PathKind::kMediaDownload;

  // Parse the body for the record whatever the outcome: a refused request is the one a test
  // most wants to look at.
  const std::string media_type = MediaType(record.content_type);
  std::optional<nlohmann::json> json;
  if (media_type == "application/json" && !util::JsonNestingWithin(request.body, kMaxJsonDepth)) {
    record.json_error = "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  } else if (media_type == "application/json") {
    json = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (json->is_discarded()) {
      json.reset();
      record.json_error = "the body is not valid JSON";
    } else {
      record.json_body = request.body;
    }
  }
  std::optional<tl::expected<MultipartForm, std::string>> form;
  if (media_type == "multipart/form-data") {
    form = ParseMultipart(record.content_type, request.body);
    if (*form) {
      for (const auto& part : (*form)->parts) {
        if (part.filename || part.name == "file") {
          record.files.push_back(RecordedFile{part.name, part.filename, part.content_type,
                                              part.data.size(), Sha256Hex(part.data)});
        } else {
          record.fields.emplace_back(part.name, part.data.substr(0, kMaxRecordedFieldBytes));
        }
      }
    }
  }

  std::optional<Refusal> refusal;
  std::optional<MessageSend> send;
  // The answer to a read (a listing page, a media's URL or bytes), faults aside.
  std::optional<http::HttpResponse> read_answer;
  // Set with a refusal: answer Meta's unknown-object error for this id (code 100, subcode 33).
  std::optional<std::string> unknown_object;
  const auto auth = core::TrimAsciiWhitespace(request.Header("authorization"));
  constexpr std::string_view kBearer = "bearer ";
  const bool is_bearer = auth.size() > kBearer.size() &&
                         core::EqualsIgnoringAsciiCase(auth.substr(0, kBearer.size()), kBearer);
  const auto token =
      is_bearer ? core::TrimAsciiWhitespace(auth.substr(kBearer.size())) : std::string_view{};

  if (record.kind == PathKind::kOther) {
    refusal = Refusal{kInvalidParameter, 400, "Unsupported request",
                      "Unknown path components: " + request.method + " " + request.path +
                          " (this fake serves POST /{version}/{phone-number-id}/messages and "
                          "/media, GET /{version}/{waba-id}/message_templates and GET "
                          "/{version}/{media-id})"};
  } else if (record.kind != PathKind::kMediaDownload && !IsApiVersion(segments[0])) {
    refusal = Refusal{kInvalidParameter, 400, "Unknown path components",
                      "'" + std::string(segments[0]) + "' is not an API version like v23.0"};
  } else if (token.empty()) {
    refusal = Refusal{kInvalidToken, kUnauthorized, "",
                      "the Authorization header must be \"Bearer <access token>\""};
  } else if (!options_.token.empty() && token != options_.token) {
    refusal = Refusal{kInvalidToken, kUnauthorized, "",
                      "Invalid OAuth access token - Cannot parse access token"};
  } else if (request.method != (is_read ? "GET" : "POST")) {
    refusal = Refusal{kInvalidParameter, 400, "Unsupported request",
                      "Unsupported " + core::AsciiLower(request.method) + " request"};
  } else if (record.kind == PathKind::kTemplates) {
    if (segments[1] != options_.waba_id) {
      unknown_object = std::string(segments[1]);
      refusal = Refusal{kInvalidParameter, 400, "", "unknown object"};
    } else if (auto query = ParseListingQuery(request.query); !query) {
      refusal = Refusal{kInvalidParameter, 400, "", query.error()};
    } else {
      read_answer.emplace();
      read_answer->body =
          ListingPage(*templates_.Current(), *query,
                      RequestUrl(request.Header("host"), request.path), request.query);
    }
  } else if (is_read) {  // a media's URL or bytes
    const auto media = media_.Find(record.media_id);
    if (!media) {
      unknown_object = record.media_id;
      refusal = Refusal{kInvalidParameter, 400, "", "unknown object"};
    } else if (record.kind == PathKind::kMediaInfo) {
      read_answer = JsonResponse(200, MediaInfoJson(*media, RequestUrl(request.Header("host"), ""),
                                                    util::NowUnixMillis() / 1000));
    } else {
      read_answer.emplace();
      read_answer->content_type = media->mime_type;
      read_answer->body = media->bytes;
    }
  } else if (record.kind == PathKind::kMessages) {
    if (media_type != "application/json") {
      refusal =
          Refusal{kInvalidParameter, 400, "",
                  "the Content-Type must be application/json, not '" + record.content_type + "'"};
    } else if (!json) {
      refusal = Refusal{kInvalidParameter, 400, "", record.json_error};
    } else if (auto checked = ValidateMessage(*json); !checked) {
      refusal = Refusal{checked.error().code, DefaultHttpStatus(checked.error().code), "",
                        checked.error().details};
    } else {
      send = std::move(*checked);
      record.biz_opaque_callback_data = send->biz_opaque_callback_data;
    }
  } else {  // media
    if (!form) {
      refusal = Refusal{
          kInvalidParameter, 400, "",
          "the Content-Type must be multipart/form-data, not '" + record.content_type + "'"};
    } else if (!*form) {
      refusal = Refusal{kInvalidParameter, 400, "", form->error()};
    } else if (auto checked = ValidateMediaForm(**form); !checked) {
      refusal = Refusal{checked.error().code, DefaultHttpStatus(checked.error().code), "",
                        checked.error().details};
    }
  }

  http::HttpResponse response;
  std::int64_t delay_ms = 0;
  std::optional<AcceptedSend> accepted_send;  // for the status webhooks
  {
    std::lock_guard lock(mutex_);
    if (refusal) {
      response = unknown_object
                     ? UnknownObjectError(request.method, *unknown_object, NewFbtraceId())
                     : MetaError(refusal->code, refusal->status, refusal->title, refusal->details,
                                 NewFbtraceId());
      record.status = refusal->status;
      record.error_code = refusal->code;
    } else {
      const FaultSubject subject{record.kind, send ? std::string_view(send->template_name) : "",
                                 send ? std::string_view(send->to_digits) : ""};
      const auto decision = faults_.Pick(subject);
      // A send or upload took effect (a lost answer's too); a read changes nothing.
      record.accepted = !is_read && (!decision || decision->rule.accept);
      http::HttpResponse normal;
      if (read_answer) {
        normal = std::move(*read_answer);
      } else if (record.accepted) {
        if (send) {
          record.response_id = NewWamid();
          normal = JsonResponse(
              200, OJson{{"messaging_product", "whatsapp"},
                         {"contacts", {{{"input", send->to}, {"wa_id", send->to_digits}}}},
                         {"messages", {{{"id", record.response_id}}}}});
        } else {
          record.response_id = NewMediaId();
          normal = JsonResponse(200, OJson{{"id", record.response_id}});
        }
      }
      if (webhooks_ && send && record.accepted) {
        accepted_send = AcceptedSend{record.phone_number_id, record.response_id, send->to_digits,
                                     send->biz_opaque_callback_data, std::nullopt};
        if (decision && decision->rule.action == FaultAction::kStatusFailed) {
          const FaultRule& rule = decision->rule;
          StatusError error = DefaultStatusError(rule.code, rule.details);
          if (!rule.title.empty()) error.title = rule.title;
          error.message = rule.message.empty() ? error.title : rule.message;
          if (rule.details.empty()) error.details = error.title;
          accepted_send->failure = std::move(error);
        }
      }
      if (decision) {
        response = FaultResponse(decision->rule, NewFbtraceId(), std::move(normal));
        record.fault = decision->rule.action;
        record.fault_rule = decision->index;
        delay_ms = decision->rule.delay_ms;
        if (decision->rule.action == FaultAction::kError ||
            decision->rule.action == FaultAction::kThrottle) {
          record.error_code = decision->rule.code;
        }
      } else {
        response = std::move(normal);
      }
      record.status = response.drop_connection ? 0 : response.status;
      record.delay_ms = delay_ms;
    }
    const auto seq = recorder_.Add(std::move(record));
    spdlog::debug("fake-graph: #{} {} {} -> {}{}", seq, request.method, request.path,
                  response.drop_connection ? std::string("drop") : std::to_string(response.status),
                  delay_ms > 0 ? " after " + std::to_string(delay_ms) + " ms" : "");
  }
  Answer(std::move(respond), std::move(response), delay_ms);
  // The statuses count from when the answer goes out (after a rule's delay_ms).
  if (accepted_send) {
    webhooks_->Add(std::move(*accepted_send), std::chrono::milliseconds(delay_ms));
  }
}

void FakeGraph::Answer(http::Responder respond, http::HttpResponse response,
                       std::int64_t delay_ms) {
  if (delay_ms <= 0) {
    respond(std::move(response));
    return;
  }
  timers_.Schedule(std::chrono::milliseconds(delay_ms),
                   [respond = std::move(respond), response = std::move(response)]() mutable {
                     respond(std::move(response));
                   });
}

http::HttpResponse FakeGraph::HandleControl(const http::HttpRequest& request) {
  const std::string_view name = std::string_view(request.path).substr(kControlPrefix.size());
  const std::string& method = request.method;
  if (name == "requests") {
    if (method == "DELETE") {
      std::lock_guard lock(mutex_);
      recorder_.Clear();
      if (webhooks_) webhooks_->ClearCounters();
      return JsonResponse(200, OJson{{"cleared", true}});
    }
    if (method != "GET") return ControlError(405, "use GET or DELETE on /_fake/requests");
    std::optional<PathKind> kind;
    const auto path = QueryValue(request.query, "path");
    if (path == "messages") {
      kind = PathKind::kMessages;
    } else if (path == "media") {
      kind = PathKind::kMedia;
    } else if (path == "templates") {
      kind = PathKind::kTemplates;
    } else if (path == "media_info") {
      kind = PathKind::kMediaInfo;
    } else if (path == "media_download") {
      kind = PathKind::kMediaDownload;
    } else if (path == "other") {
      kind = PathKind::kOther;
    } else if (!path.empty()) {
      return ControlError(
          400, "path must be messages, media, templates, media_info, media_download or other");
    }
    std::uint64_t since = 0;
    std::size_t limit = std::numeric_limits<std::size_t>::max();
    if (const auto s = QueryValue(request.query, "since"); !s.empty()) {
      const auto v = ParseUnsigned(s);
      if (!v) return ControlError(400, "since must be a sequence number");
      since = *v;
    }
    if (const auto s = QueryValue(request.query, "limit"); !s.empty()) {
      const auto v = ParseUnsigned(s);
      if (!v) return ControlError(400, "limit must be a number");
      limit = static_cast<std::size_t>(*v);
    }
    http::HttpResponse response;
    std::lock_guard lock(mutex_);
    response.body = recorder_.List(kind, since, limit);
    return response;
  }
  if (name == "stats") {
    if (method != "GET") return ControlError(405, "use GET on /_fake/stats");
    std::lock_guard lock(mutex_);
    return JsonResponse(200, recorder_.Stats());
  }
  if (name == "webhooks") return HandleWebhooksControl(request);
  if (name == "templates") return HandleTemplatesControl(request);
  if (name == "template-status") return HandleTemplateStatus(request);
  if (name == "inbound") return HandleInbound(request);
  if (name == "accepted") {
    if (method != "GET") return ControlError(405, "use GET on /_fake/accepted");
    const auto id = QueryValue(request.query, "id");
    if (id.empty()) return ControlError(400, "the query parameter id is required");
    std::lock_guard lock(mutex_);
    return JsonResponse(200, OJson{{"id", id}, {"accepted", recorder_.AcceptedCount(id)}});
  }
  if (name == "faults") {
    if (method == "GET") {
      std::lock_guard lock(mutex_);
      return JsonResponse(200, faults_.ToJson());
    }
    if (method == "DELETE") {
      std::lock_guard lock(mutex_);
      faults_.Clear();
      return JsonResponse(200, OJson{{"rules", 0}});
    }
    if (method != "POST") return ControlError(405, "use GET, POST or DELETE on /_fake/faults");
    if (!util::JsonNestingWithin(request.body, kMaxJsonDepth)) {
      return ControlError(
          400, "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return ControlError(400, "the body is not valid JSON");
    auto rules = ParseFaultRules(body);
    if (!rules) return ControlError(400, rules.error());
    const auto count = rules->size();
    std::lock_guard lock(mutex_);
    faults_.Replace(std::move(*rules));
    return JsonResponse(200, OJson{{"rules", count}});
  }
  if (name == "reset") {
    if (method != "POST") return ControlError(405, "use POST on /_fake/reset");
    std::lock_guard lock(mutex_);
    recorder_.Clear();
    faults_.Clear();
    templates_.Restore();
    media_.Clear();
    if (webhooks_) webhooks_->Reset();
    return JsonResponse(200, OJson{{"reset", true}});
  }
  return ControlError(404, "unknown control endpoint " + request.path);
}

}  // namespace socialgate::fake_graph
