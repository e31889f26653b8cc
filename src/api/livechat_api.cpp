#include "api/livechat_api.hpp"

#include <atomic>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/envelope.hpp"
#include "api/template_codec.hpp"
#include "core/validate.hpp"
#include "obs/log.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using core::ErrorCode;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonError;
using http::Responder;

constexpr std::string_view kSendMethod = "sendExternalTemplateMessageToCtlivesocial";
constexpr std::string_view kDefaultDomain = "default";

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // Express tolerates it
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    const auto end = path.find('/', start);
    parts.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

bool IsJsonContentType(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view type = value.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

HttpResponse Json(unsigned status, const nlohmann::ordered_json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse r = JsonError(405, "this endpoint accepts only " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// The answer for a message whose first attempt ended (or was not awaited).
HttpResponse SendAnswer(const std::string& message_id, const dispatch::AttemptResult& attempt) {
  nlohmann::ordered_json body = {{"messageId", message_id}, {"status", attempt.status}};
  if (attempt.status == "accepted") {
    body["result"] = true;
    body["error"] = nullptr;
    body["providerMessageId"] = attempt.provider_message_id;
    return Json(200, body);
  }
  if (attempt.status == "failed") {
    body["result"] = false;
    std::string error = "the provider rejected the message";
    if (!attempt.error_code.empty()) error += " (code " + attempt.error_code + ")";
    if (!attempt.error_message.empty()) error += ": " + attempt.error_message;
    body["error"] = error;
    return Json(422, body);
  }
  body["result"] = true;
  body["error"] = nullptr;
  return Json(202, body);
}

}  // namespace

LivechatApi::LivechatApi(ApiDependencies deps) : deps_(deps) {}

void LivechatApi::OnWorker(Responder respond, std::function<void(const Responder&)> work) {
  if (deps_.workers->Backlog() >= deps_.max_queued_requests) {
    respond(JsonError(503, "the gateway is overloaded, try again shortly"));
    return;
  }
  const bool queued = deps_.workers->Submit([respond, work = std::move(work)] { work(respond); });
  if (!queued) respond(JsonError(503, "the gateway is shutting down, try again shortly"));
}

void LivechatApi::Handle(HttpRequest&& request, Responder respond) {
  const auto parts = SplitPath(request.path);
  const bool is_get = request.method == "GET";
  const bool is_post = request.method == "POST";

  if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "readyz")) {
    if (!is_get) return respond(MethodNotAllowed("GET"));
    if (parts[0] == "healthz") {
      return respond(Json(200, {{"result", true}, {"error", nullptr}, {"status", "ok"}}));
    }
    return OnWorker(std::move(respond), [this](const Responder& r) { Ready(r); });
  }
  if (parts.empty() || parts[0] != "livechat") {
    return respond(JsonError(404, "no such endpoint: " + request.method + " " + request.path));
  }

  // /livechat/{method} means domain "default" (the seed marks {domain} as optional).
  std::string_view domain_name;
  std::string_view method;
  std::string message_id;
  if (parts.size() == 2 && parts[1] == kSendMethod) {
    domain_name = kDefaultDomain;
    method = parts[1];
  } else if (parts.size() == 3 && parts[2] == kSendMethod) {
    domain_name = parts[1];
    method = parts[2];
  } else if (parts.size() == 4 && parts[2] == "messages") {
    domain_name = parts[1];
    method = parts[2];
    message_id = std::string(parts[3]);
  } else {
    return respond(JsonError(404, "no such endpoint: " + request.method + " " + request.path));
  }
  if (method == kSendMethod && !is_post) return respond(MethodNotAllowed("POST"));
  if (method == "messages" && !is_get) return respond(MethodNotAllowed("GET"));

  const config::Domain* domain = deps_.config->FindDomain(domain_name);
  if (domain == nullptr) {
    return respond(JsonError(404, "unknown domain '" + std::string(domain_name) + "'"));
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  if (method == kSendMethod) {
    return OnWorker(std::move(respond),
                    [this, domain, shared](const Responder& r) { Send(*domain, *shared, r); });
  }
  OnWorker(std::move(respond), [this, domain, shared, id = std::move(message_id)](
                                   const Responder& r) { GetMessage(*domain, id, *shared, r); });
}

bool LivechatApi::Authenticate(const config::Domain& domain, const HttpRequest& request,
                               const Responder& respond) {
  auto principal = deps_.authenticator->Authenticate(domain, request.Header("authorization"));
  if (principal) return true;
  HttpResponse r = ErrorResponse(principal.error());
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"socialgate\", charset=\"UTF-8\"");
  respond(std::move(r));
  return false;
}

void LivechatApi::Send(const config::Domain& domain, HttpRequest& request,
                       const Responder& respond) {
  if (!Authenticate(domain, request, respond)) return;
  if (!IsJsonContentType(request.Header("content-type"))) {
    return respond(JsonError(415, "Content-Type: must be application/json"));
  }
  auto decoded = DecodeTemplateRequest(request.body);
  if (!decoded) return respond(ErrorResponse(decoded.error()));
  request.body = std::string();  // the decoded copy is all we need from here on

  core::ValidationContext context;
  context.languages = deps_.languages;
  auto message = core::ValidateTemplateRequest(std::move(*decoded), context);
  if (!message) return respond(ErrorResponse(message.error()));

  const auto& numbers = domain.numbers;
  const bool ours = std::any_of(numbers.begin(), numbers.end(),
                                [&](const auto& n) { return n.phone == message->service_phone; });
  if (!ours) {
    for (const auto& other : deps_.config->domains) {
      for (const auto& n : other.numbers) {
        if (n.phone == message->service_phone) {
          return respond(JsonError(403, "servicePhoneNumber: " + message->service_phone +
                                            " is not a business number of domain '" + domain.name +
                                            "'"));
        }
      }
    }
    return respond(JsonError(422, "servicePhoneNumber: " + message->service_phone +
                                      " is not a WhatsApp business number configured in "
                                      "domain '" +
                                      domain.name + "'"));
  }

  store::NewMessage stored;
  stored.id = util::NewMessageId();
  stored.domain = domain.name;
  stored.now_ms = util::NowUnixMillis();
  const std::string customer = message->customer_phone;
  stored.message = std::move(*message);

  const std::string id = stored.id;
  const bool wait_for_provider = domain.ack == config::AckMode::kProvider;
  // Whichever comes first, the first attempt's outcome or the ack timeout, answers.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  if (wait_for_provider) {
    deps_.dispatcher->Listen(id, [respond, answered, id](const dispatch::AttemptResult& attempt) {
      if (!answered->exchange(true)) respond(SendAnswer(id, attempt));
    });
  }
  if (auto inserted = deps_.store->Insert(stored); !inserted) {
    if (wait_for_provider) deps_.dispatcher->Forget(id);
    spdlog::error("api: storing message for {} failed: {}", obs::MaskPhone(customer),
                  inserted.error().detail);
    return respond(ErrorResponse(inserted.error()));
  }
  spdlog::info("api: message {} queued for {} from {} ({})", id, obs::MaskPhone(customer),
               stored.message.service_phone, stored.message.template_name);
  deps_.dispatcher->Notify();
  if (!wait_for_provider) {
    return respond(SendAnswer(id, dispatch::AttemptResult{"queued", "", "", ""}));
  }
  deps_.timers->Schedule(domain.ack_timeout,
                         [respond, answered, id, dispatcher = deps_.dispatcher] {
                           if (answered->exchange(true)) return;
                           dispatcher->Forget(id);
                           respond(SendAnswer(id, dispatch::AttemptResult{"queued", "", "", ""}));
                         });
}

void LivechatApi::GetMessage(const config::Domain& domain, const std::string& id,
                             const HttpRequest& request, const Responder& respond) {
  if (!Authenticate(domain, request, respond)) return;
  auto found = deps_.store->Get(domain.name, id);
  if (!found) return respond(ErrorResponse(found.error()));
  if (!found->has_value()) {
    return respond(
        JsonError(404, "messageId: no message '" + id + "' in domain '" + domain.name + "'"));
  }
  const store::StoredMessage& m = **found;
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& e : m.history) {
    nlohmann::ordered_json event = {{"status", e.status}, {"at", util::FormatUtcMillis(e.at_ms)}};
    if (!e.detail.empty()) event["detail"] = e.detail;
    history.push_back(std::move(event));
  }
  nlohmann::ordered_json body = {
      {"result", true},
      {"error", nullptr},
      {"messageId", m.id},
      {"status", m.status},
      {"providerMessageId", m.provider_message_id.empty()
                                ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(m.provider_message_id)},
      {"deliveryError",
       m.error_message.empty()
           ? nlohmann::ordered_json(nullptr)
           : nlohmann::ordered_json{{"code", m.error_code}, {"message", m.error_message}}},
      {"attempts", m.attempts},
      {"customerPhoneNumber", m.message.customer_phone},
      {"servicePhoneNumber", m.message.service_phone},
      {"templateName", m.message.template_name},
      {"language", m.message.language},
      {"createdAt", util::FormatUtcMillis(m.created_at_ms)},
      {"updatedAt", util::FormatUtcMillis(m.updated_at_ms)},
      {"history", std::move(history)},
  };
  respond(Json(200, body));
}

void LivechatApi::Ready(const Responder& respond) {
  auto pending = deps_.store->PendingCount();
  if (!pending) return respond(JsonError(503, "storage is unavailable"));
  respond(Json(200,
               {{"result", true}, {"error", nullptr}, {"status", "ready"}, {"pending", *pending}}));
}

}  // namespace socialgate::api
