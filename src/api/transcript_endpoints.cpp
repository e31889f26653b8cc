#include "api/transcript_endpoints.hpp"

#include <array>
#include <charconv>
#include <memory>
#include <utility>

#include "api/envelope.hpp"
#include "api/json_body.hpp"
#include "api/query.hpp"
#include "api/transcript_json.hpp"
#include "core/phone_number.hpp"
#include "core/text.hpp"
#include "util/base64.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kMaxDays = 3650;

tl::unexpected<core::Error> TranscriptMalformed(std::string message) {
  return core::MakeError(core::ErrorCode::kMalformed, std::move(message));
}

// ?days=N (and the session token, authentication's): the earliest opening time to list.
core::Result<std::int64_t> OpenedSince(std::string_view query, std::int64_t now_ms) {
  std::int64_t since = 0;
  bool seen = false;
  for (const auto& [name, value] : QueryParameters(query)) {
    if (name != "days") {
      return TranscriptMalformed("query: unknown parameter " + core::QuoteForMessage(name) +
                                 "; the only parameter is days");
    }
    if (seen) return TranscriptMalformed("days: must be given once");
    seen = true;
    std::int64_t days = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), days);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || days < 1 ||
        days > kMaxDays) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "days: must be a whole number of days from 1 to " +
                                 std::to_string(kMaxDays) + ", got " +
                                 core::QuoteForMessage(value));
    }
    since = now_ms - days * kDayMs;
  }
  return since;
}

// A file emptied by the domain's content retention (retention/content_retention.hpp).
http::HttpResponse Emptied(const std::string& id) {
  return http::JsonError(404, "messageId: the file of message " + core::QuoteForMessage(id, 80) +
                                  " was deleted after the domain's content retention");
}

http::HttpResponse NoChat(const std::string& id) {
  return http::JsonError(
      404, "chatId: there is no chat " + core::QuoteForMessage(id, 80) + " in this domain");
}

}  // namespace

std::vector<Endpoint> TranscriptEndpoints::Endpoints() {
  std::vector<Endpoint> out;
  if (deps_.conversations == nullptr) return out;
  const auto on_worker = [this](auto run) {
    return [this, run](Call call, http::HttpRequest&& request, http::Responder respond) {
      auto shared = std::make_shared<http::HttpRequest>(std::move(request));
      OnWorker(deps_, std::move(respond),
               [run, call = std::move(call), shared](const http::Responder& r) {
                 run(call, *shared, r);
               });
    };
  };
  out.push_back(
      Endpoint{"POST", "/livechat/{domain?}/getLastTranscript", Access::kUser, 16 * 1024,
               "Content-Type: must be application/json",
               on_worker([this](const Call& c, http::HttpRequest& q, const http::Responder& r) {
                 LastTranscript(c, std::move(q.body), r);
               })});
  out.push_back(Endpoint{"GET", "/livechat/{domain}/getChatTranscriptByUserID/{userId}",
                         Access::kUser, 0, std::nullopt,
                         on_worker([this](const Call& c, http::HttpRequest& q,
                                          const http::Responder& r) { ByUser(c, q.query, r); })});
  out.push_back(Endpoint{"GET", "/livechat/{domain}/getChatTranscriptByChatID/{chatId}",
                         Access::kUser, 0, std::nullopt,
                         on_worker([this](const Call& c, http::HttpRequest&,
                                          const http::Responder& r) { ByChat(c, false, r); })});
  out.push_back(Endpoint{"GET", "/livechat/{domain}/getContactTranscriptByChatID/{chatId}",
                         Access::kUser, 0, std::nullopt,
                         on_worker([this](const Call& c, http::HttpRequest&,
                                          const http::Responder& r) { ByChat(c, true, r); })});
  out.push_back(Endpoint{"GET", "/livechat/{domain}/getMultimediaMessageByMessageID/{messageId}",
                         Access::kUser, 0, std::nullopt,
                         on_worker([this](const Call& c, http::HttpRequest&,
                                          const http::Responder& r) { Multimedia(c, r); })});
  return out;
}

core::Result<Json> TranscriptEndpoints::Transcript(const store::ChatRecord& chat) {
  SG_ASSIGN_OR_RETURN(auto inbound,
                      deps_.conversations->InboundMessages(chat.id, kMaxTranscriptMessages + 1));
  SG_ASSIGN_OR_RETURN(auto outbound,
                      deps_.conversations->ChatOutbound(chat.id, kMaxTranscriptMessages + 1));
  const bool truncated =
      inbound.size() > kMaxTranscriptMessages || outbound.size() > kMaxTranscriptMessages;
  inbound.resize(std::min<std::size_t>(inbound.size(), kMaxTranscriptMessages));
  outbound.resize(std::min<std::size_t>(outbound.size(), kMaxTranscriptMessages));
  return TranscriptJson(chat, inbound, outbound, truncated);
}

void TranscriptEndpoints::LastTranscript(const Call& call, std::string body,
                                         const http::Responder& respond) {
  std::string userid, serviceid;
  const std::array<StringField, 2> fields{{{"userid", &userid}, {"serviceid", &serviceid}}};
  if (auto decoded = DecodeStringFields(std::move(body), fields); !decoded) {
    return respond(ErrorResponse(decoded.error()));
  }
  auto customer = core::NormalizePhoneNumber("userid", userid);
  if (!customer) return respond(ErrorResponse(customer.error()));
  auto service = core::NormalizePhoneNumber("serviceid", serviceid);
  if (!service) return respond(ErrorResponse(service.error()));
  if (call.domain->FindNumber(*service) == nullptr || !call.principal->MaySendFrom(*service)) {
    return respond(http::JsonError(404, "serviceid: " + *service +
                                            " is not a business number of this domain that "
                                            "user " +
                                            core::QuoteForMessage(call.principal->user) +
                                            " may send from"));
  }
  store::ChatQuery query;
  query.domain = call.domain->name;
  query.customer_phone = *customer;
  query.service_phone = *service;
  query.limit = 1;
  query.now_ms = util::NowUnixMillis();
  auto chats = deps_.conversations->CustomerChats(query);
  if (!chats) return respond(ErrorResponse(chats.error()));
  if (chats->empty()) {
    return respond(http::JsonError(404, "userid: there is no chat between " + *service + " and " +
                                            *customer + " in this domain"));
  }
  auto transcript = Transcript(chats->front());
  if (!transcript) return respond(ErrorResponse(transcript.error()));
  Json answer = {{"result", true}, {"error", nullptr}};
  answer["chatTranscript"] = std::move(*transcript);
  respond(JsonAnswer(200, answer));
}

void TranscriptEndpoints::ByUser(const Call& call, const std::string& query,
                                 const http::Responder& respond) {
  auto customer = core::NormalizePhoneNumber("userId", call.Param("userId"));
  if (!customer) return respond(ErrorResponse(customer.error()));
  store::ChatQuery q;
  q.domain = call.domain->name;
  q.customer_phone = *customer;
  q.now_ms = util::NowUnixMillis();
  auto since = OpenedSince(query, q.now_ms);
  if (!since) return respond(ErrorResponse(since.error()));
  q.opened_since_ms = *since;
  // A user limited to some numbers sees their chats only: read more, keep theirs.
  q.limit = call.principal->numbers.empty() ? kMaxTranscripts : store::kMaxChatListLimit;
  auto chats = deps_.conversations->CustomerChats(q);
  if (!chats) return respond(ErrorResponse(chats.error()));
  Json transcripts = Json::array();
  for (const store::ChatRecord& chat : *chats) {
    if (!call.principal->MaySendFrom(chat.service_phone)) continue;
    if (static_cast<int>(transcripts.size()) == kMaxTranscripts) break;
    auto transcript = Transcript(chat);
    if (!transcript) return respond(ErrorResponse(transcript.error()));
    transcripts.push_back(std::move(*transcript));
  }
  Json answer = {{"result", true}, {"error", nullptr}};
  answer["chatTranscript"] = std::move(transcripts);
  respond(JsonAnswer(200, answer));
}

void TranscriptEndpoints::ByChat(const Call& call, bool contact, const http::Responder& respond) {
  const std::string id = call.Param("chatId");
  auto chat = deps_.conversations->FindChat(call.domain->name, id, util::NowUnixMillis());
  if (!chat) return respond(ErrorResponse(chat.error()));
  if (!*chat || !call.principal->MaySendFrom((*chat)->service_phone)) return respond(NoChat(id));
  if (!contact && (*chat)->active()) {
    return respond(http::JsonError(
        409, "chatId: chat " + core::QuoteForMessage(id, 80) +
                 " is still active: getContactTranscriptByChatID gives an active chat's "
                 "transcript"));
  }
  auto transcript = Transcript(**chat);
  if (!transcript) return respond(ErrorResponse(transcript.error()));
  Json answer = {{"result", true}, {"error", nullptr}};
  if (contact) {
    answer["isChatActive"] = (*chat)->active();
    answer["chatTranscript"] = Json::array({std::move(*transcript)});
  } else {
    answer["chatTranscripts"] = {{"result", true}, {"transcript", std::move(*transcript)}};
  }
  respond(JsonAnswer(200, answer));
}

void TranscriptEndpoints::Multimedia(const Call& call, const http::Responder& respond) {
  const std::string id = call.Param("messageId");
  const auto none = [&] {
    Json answer = {{"result", false},
                   {"error", "messageId: there is no image or document message " +
                                 core::QuoteForMessage(id, 80) + " in this domain"},
                   {"message", nullptr}};
    respond(JsonAnswer(404, answer));
  };
  std::string domain = call.domain->name;
  for (char& c : domain) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto answer = [&](const std::string& message_id, const std::string& chat_id,
                          const char* type, const std::string& bytes, const std::string& file_name,
                          const std::string& mime_type, const std::string& document_type) {
    Json content = {{"document", util::Base64(bytes)},
                    {"fileName", file_name},
                    {"mimeType", mime_type},
                    {"documentType", document_type}};
    Json message = {{"messageID", message_id}, {"chatID", chat_id},
                    {"messageType", type},     {"domain", domain},
                    {"format", "fullsize"},    {"content", std::move(content)}};
    Json body = {{"result", true}, {"error", nullptr}};
    body["message"] = std::move(message);
    respond(JsonAnswer(200, body));
  };
  // An outbound message's file, by the gateway's id...
  auto found = deps_.outbox->Get(call.domain->name, id);
  if (!found) return respond(ErrorResponse(found.error()));
  if (*found) {
    const store::StoredMessage& m = **found;
    const auto* media = std::get_if<core::MediaContent>(&m.message.content);
    if (media == nullptr || !call.principal->MaySendFrom(m.message.service_phone)) return none();
    auto bytes = deps_.outbox->MediaBytes(m.id);
    if (!bytes) return respond(ErrorResponse(bytes.error()));
    if (bytes->empty()) return respond(Emptied(id));
    return answer(m.id, m.chat_id,
                  media->media.kind == core::MediaKind::kImage ? "IMAGE" : "DOCUMENT", *bytes,
                  media->media.file_name, media->media.mime_type, media->media.document_type);
  }
  // ...or a customer's, by the provider's, once fetched (inbound_media/fetcher.hpp).
  auto inbound = deps_.conversations->FindInboundMedia(call.domain->name, id);
  if (!inbound) return respond(ErrorResponse(inbound.error()));
  if (!*inbound || !call.principal->MaySendFrom((*inbound)->message.service_phone)) return none();
  const store::InboundMedia& media = **inbound;
  if (media.state == "pending") {
    return respond(http::JsonError(
        409,
        "messageId: the media of message " + core::QuoteForMessage(id, 80) +
            " is still being fetched from the provider" +
            (media.error.empty() ? std::string() : " (the last attempt: " + media.error + ")") +
            "; try again later"));
  }
  if (media.state == "erased") return respond(Emptied(id));
  if (media.state != "fetched") {
    return respond(
        http::JsonError(404, "messageId: the media of message " + core::QuoteForMessage(id, 80) +
                                 " could not be fetched from the provider: " + media.error));
  }
  std::string type = media.message.type;
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto slash = media.message.mime_type.find('/');
  answer(media.message.id, media.message.chat_id, type.c_str(), media.bytes,
         media.message.file_name, media.message.mime_type,
         slash == std::string::npos ? media.message.mime_type
                                    : media.message.mime_type.substr(slash + 1));
}

}  // namespace socialgate::api
