#include "api/livechat_api.hpp"

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/envelope.hpp"
#include "api/login_codec.hpp"
#include "api/query.hpp"
#include "core/text.hpp"
#include "util/ids.hpp"

namespace socialgate::api {
namespace {

using http::Admission;
using http::AdmissionResponder;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonError;
using http::Responder;

constexpr std::string_view kSendMethod = "sendExternalTemplateMessageToCtlivesocial";
constexpr std::string_view kDefaultDomain = "default";

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse r = JsonError(405, "this endpoint accepts only " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

HttpResponse NoSuchEndpoint(const HttpRequest& head) {
  return JsonError(404, "no such endpoint: " + core::QuoteForMessage(head.method, 16) + " " +
                            core::QuoteForMessage(head.path, 80));
}

// What a request line names below /livechat/.
struct Route {
  std::string_view domain;
  std::string_view method;  // kSendMethod, "messages", "login", "logout"
  std::string_view message_id;
};

std::optional<Route> RouteOf(const std::vector<std::string_view>& parts) {
  if (parts.empty() || parts[0] != "livechat") return std::nullopt;
  const auto is_method = [](std::string_view p) {
    return p == kSendMethod || p == "login" || p == "logout";
  };
  // /livechat/{method} means domain "default" (the seed marks {domain} as optional).
  if (parts.size() == 2 && is_method(parts[1])) return Route{kDefaultDomain, parts[1], {}};
  if (parts.size() == 3 && is_method(parts[2])) return Route{parts[1], parts[2], {}};
  if (parts.size() == 4 && parts[2] == "messages") return Route{parts[1], parts[2], parts[3]};
  return std::nullopt;
}

}  // namespace

LivechatApi::LivechatApi(ApiDependencies deps) : deps_(deps) {}

void LivechatApi::OnWorker(Responder respond, std::function<void(const Responder&)> work) {
  if (deps_.workers->Backlog() >= deps_.max_queued_requests) {
    HttpResponse r = JsonError(503, "the gateway is overloaded, try again shortly");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
    return;
  }
  const bool queued = deps_.workers->Submit([respond, work = std::move(work)] { work(respond); });
  if (!queued) respond(JsonError(503, "the gateway is shutting down, try again shortly"));
}

void LivechatApi::Admit(const HttpRequest& head, AdmissionResponder decide) {
  const auto parts = SplitPath(head.path);
  if (!parts) return decide(Admission::Refuse(NoSuchEndpoint(head)));
  const bool is_get = head.method == "GET";
  const bool is_post = head.method == "POST";

  if (parts->size() == 1 && ((*parts)[0] == "healthz" || (*parts)[0] == "readyz")) {
    if (!is_get) return decide(Admission::Refuse(MethodNotAllowed("GET")));
    if ((*parts)[0] == "healthz") {
      return decide(Admission::Accept(0, [](HttpRequest&&, Responder respond) {
        respond(JsonAnswer(200, {{"result", true}, {"error", nullptr}, {"status", "ok"}}));
      }));
    }
    return decide(Admission::Accept(0, [this](HttpRequest&&, Responder respond) {
      OnWorker(std::move(respond), [this](const Responder& r) { Ready(r); });
    }));
  }
  const auto route = RouteOf(*parts);
  if (!route) return decide(Admission::Refuse(NoSuchEndpoint(head)));
  const bool wants_get = route->method == "messages";
  if (wants_get && !is_get) return decide(Admission::Refuse(MethodNotAllowed("GET")));
  if (!wants_get && !is_post) return decide(Admission::Refuse(MethodNotAllowed("POST")));

  const config::Domain* domain = deps_.config->FindDomain(route->domain);
  if (domain == nullptr) {
    return decide(Admission::Refuse(
        JsonError(404, "unknown domain " + core::QuoteForMessage(route->domain))));
  }
  const std::size_t small_body = deps_.config->server.max_unauthenticated_body_bytes;
  if (route->method == kSendMethod) {
    if (!IsJsonContentType(head.Header("content-type"))) {
      return decide(Admission::Refuse(JsonError(415, "Content-Type: must be application/json")));
    }
    return AdmitAuthenticated(
        *domain, head, deps_.config->server.max_body_bytes, std::move(decide),
        [this, domain](const auth::Principal& principal, HttpRequest&& request, Responder r) {
          Send(*domain, principal, std::move(request), std::move(r));
        });
  }
  if (route->method == "messages") {
    return AdmitAuthenticated(
        *domain, head, 0, std::move(decide),
        [this, domain, id = std::string(route->message_id)](const auth::Principal& principal,
                                                            HttpRequest&&, Responder respond) {
          OnWorker(std::move(respond), [this, domain, principal, id](const Responder& r) {
            GetMessage(*domain, principal, id, r);
          });
        });
  }
  if (route->method == "login") return AdmitLogin(*domain, head, std::move(decide));
  AdmitAuthenticated(
      *domain, head, small_body, std::move(decide),
      [this](const auth::Principal& principal, HttpRequest&& request, Responder respond) {
        auto shared = std::make_shared<HttpRequest>(std::move(request));
        OnWorker(std::move(respond),
                 [this, principal, shared](const Responder& r) { Logout(principal, *shared, r); });
      });
}

void LivechatApi::AdmitAuthenticated(const config::Domain& domain, const HttpRequest& head,
                                     std::size_t max_body_bytes, AdmissionResponder decide,
                                     AuthenticatedHandler handle) {
  deps_.guard->Authenticate(
      domain, head,
      [decide = std::move(decide), handle = std::move(handle), max_body_bytes](AuthVerdict v) {
        if (!v.principal) return decide(Admission::Refuse(std::move(v.refusal)));
        decide(Admission::Accept(max_body_bytes, [principal = std::move(*v.principal), handle](
                                                     HttpRequest&& request, Responder respond) {
          handle(principal, std::move(request), std::move(respond));
        }));
      });
}

void LivechatApi::AdmitLogin(const config::Domain& domain, const HttpRequest& head,
                             AdmissionResponder decide) {
  const std::size_t small_body = deps_.config->server.max_unauthenticated_body_bytes;
  const config::Domain* d = &domain;
  // Credentials by Basic auth, checked before the body...
  if (!head.Header("authorization").empty()) {
    return AdmitAuthenticated(
        domain, head, small_body, std::move(decide),
        [this, d](const auth::Principal& principal, HttpRequest&&, Responder respond) {
          if (principal.mechanism != "basic") {
            return respond(JsonError(400, "login: needs a user name and password"));
          }
          OnWorker(std::move(respond),
                   [this, d, principal](const Responder& r) { IssueSession(*d, principal, r); });
        });
  }
  // ...or as JSON {"username": ..., "password": ...}: the only body read before its request
  // is authenticated, so it is held to server.max_unauthenticated_body_bytes.
  if (!IsJsonContentType(head.Header("content-type"))) {
    return decide(Admission::Refuse(JsonError(
        415, "login: send Basic credentials, or a JSON body {\"username\", \"password\"}")));
  }
  decide(Admission::Accept(small_body, [this, d](HttpRequest&& request, Responder respond) {
    auto login = DecodeLoginRequest(std::move(request.body));
    if (!login) return respond(ErrorResponse(login.error()));
    deps_.guard->CheckPassword(
        *d, request, std::move(login->username), std::move(login->password),
        [this, d, respond](AuthVerdict v) {
          if (!v.principal) return respond(std::move(v.refusal));
          OnWorker(respond, [this, d, principal = std::move(*v.principal)](const Responder& r) {
            IssueSession(*d, principal, r);
          });
        });
  }));
}

void LivechatApi::IssueSession(const config::Domain& domain, const auth::Principal& principal,
                               const Responder& respond) {
  auto issued = deps_.authenticator->Login(domain, principal);
  if (!issued) return respond(ErrorResponse(issued.error()));
  spdlog::info("api: user {} of domain {} logged in", principal.user, domain.name);
  respond(JsonAnswer(200, {{"result", true},
                           {"error", nullptr},
                           {"token", issued->token},
                           {"expiresAt", util::FormatUtcMillis(issued->expires_at_ms)}}));
}

void LivechatApi::Logout(const auth::Principal& principal, const HttpRequest& request,
                         const Responder& respond) {
  if (principal.mechanism != "session") {
    return respond(JsonError(400, "logout: send the session token (ctlivetoken) to end it"));
  }
  auto ended = deps_.authenticator->Logout(AuthGuard::SessionToken(request));
  if (!ended) return respond(ErrorResponse(ended.error()));
  respond(JsonAnswer(200, {{"result", true}, {"error", nullptr}}));
}

void LivechatApi::GetMessage(const config::Domain& domain, const auth::Principal& principal,
                             const std::string& id, const Responder& respond) {
  auto found = deps_.outbox->Get(domain.name, id);
  if (!found) return respond(ErrorResponse(found.error()));
  // A user limited to some numbers does not see the others' messages.
  if (!found->has_value() || !principal.MaySendFrom((*found)->message.service_phone)) {
    return respond(JsonError(404, "messageId: no message " + core::QuoteForMessage(id) +
                                      " in domain " + core::QuoteForMessage(domain.name)));
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
  respond(JsonAnswer(200, body));
}

void LivechatApi::Ready(const Responder& respond) {
  auto pending = deps_.outbox->PendingCount();
  if (!pending) return respond(JsonError(503, "storage is unavailable"));
  respond(JsonAnswer(
      200, {{"result", true}, {"error", nullptr}, {"status", "ready"}, {"pending", *pending}}));
}

}  // namespace socialgate::api
