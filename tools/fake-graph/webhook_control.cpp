// FakeGraph's control endpoints of the webhooks it posts: GET and PUT /_fake/webhooks (the
// target) and POST /_fake/inbound (a customer's message, inbound_message.hpp); see
// fake_graph.hpp.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fake-graph/fake_graph.hpp"
#include "fake-graph/inbound_message.hpp"
#include "fake-graph/json_response.hpp"
#include "fake-graph/text_util.hpp"
#include "util/ids.hpp"
#include "util/json_nesting.hpp"

namespace socialgate::fake_graph {

namespace {

using OJson = nlohmann::ordered_json;

// Control bodies nested deeper are refused unparsed (as in fake_graph.cpp).
constexpr int kMaxControlJsonDepth = 64;

}  // namespace

http::HttpResponse FakeGraph::HandleWebhooksControl(const http::HttpRequest& request) {
  if (request.method == "GET") {
    const WebhookCounters counters = webhooks_ ? webhooks_->Counters() : WebhookCounters{};
    return JsonResponse(200, counters.ToJson(webhooks_ && webhooks_->HasTarget()));
  }
  if (request.method != "PUT") return ControlError(405, "use GET or PUT on /_fake/webhooks");
  if (!webhooks_) {
    return ControlError(409, "this fake-graph cannot post status webhooks (it has no poster)");
  }
  if (!util::JsonNestingWithin(request.body, kMaxControlJsonDepth)) {
    return ControlError(400,
                        "the body nests deeper than " + std::to_string(kMaxControlJsonDepth) + " levels");
  }
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return ControlError(400, "the body must be a JSON object {\"url\": ..., \"app_secret\": ...}");
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "url" && key != "app_secret") {
      return ControlError(400, "unknown field '" + key + "' (url and app_secret are taken)");
    }
  }
  const auto url = body.find("url");
  if (url == body.end() || !url->is_string() || !IsWebhookUrl(url->get<std::string>())) {
    return ControlError(400, "url must be an http:// or https:// URL");
  }
  const auto secret = body.find("app_secret");
  if (secret == body.end() || !secret->is_string() || secret->get<std::string>().empty()) {
    return ControlError(400, "app_secret must be a non-empty string");
  }
  webhooks_->SetTarget(url->get<std::string>(), secret->get<std::string>());
  spdlog::info("fake-graph: status webhooks now go to {}", url->get<std::string>());
  return JsonResponse(200, OJson{{"enabled", true}, {"url", url->get<std::string>()}});
}

http::HttpResponse FakeGraph::HandleInbound(const http::HttpRequest& request) {
  if (request.method != "POST") return ControlError(405, "use POST on /_fake/inbound");
  if (!webhooks_ || !webhooks_->HasTarget()) {
    return ControlError(409,
                        "no webhook target to post the message to: set one with --webhook-url "
                        "or PUT /_fake/webhooks first");
  }
  auto message = ParseInboundMessage(request.body);
  if (!message) return ControlError(400, message.error());
  if (message->media && message->media->bytes.size() > media_.max_bytes()) {
    return ControlError(413, "the media is " + std::to_string(message->media->bytes.size()) +
                                 " bytes, more than the " + std::to_string(media_.max_bytes()) +
                                 " this fake keeps (--max-media-bytes)");
  }
  InboundEvent event;
  event.waba_id = options_.waba_id;
  event.timestamp = message->timestamp.value_or(util::NowUnixMillis() / 1000);
  {
    std::lock_guard lock(mutex_);
    event.wamid = NewWamid();
    if (message->media) event.media_id = NewMediaId();
  }
  if (message->media) event.media_sha256 = Sha256Base64(message->media->bytes);
  std::string body = InboundWebhookBody(*message, event);
  if (message->media) {
    InboundMedia& media = *message->media;
    const std::string hex = Sha256Hex(media.bytes);
    media_.Add(StoredMedia{event.media_id, std::move(media.mime_type), std::move(media.file_name),
                           std::move(media.bytes), hex});
  }
  const bool queued = webhooks_->AddMessageEvent(std::move(body));
  spdlog::info("fake-graph: inbound {} {} from {} to {}{}", message->type, event.wamid,
               message->from, message->phone_number_id, queued ? ", webhook queued" : "");
  OJson answer{{"wamid", event.wamid}, {"timestamp", event.timestamp}};
  if (!event.media_id.empty()) answer["media_id"] = event.media_id;
  answer["webhook_queued"] = queued;
  return JsonResponse(200, answer);
}

}  // namespace socialgate::fake_graph
