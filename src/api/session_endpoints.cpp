#include "api/session_endpoints.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "api/envelope.hpp"
#include "api/login_codec.hpp"
#include "util/ids.hpp"

namespace socialgate::api {

using http::HttpRequest;
using http::JsonError;
using http::Responder;

std::vector<Endpoint> SessionEndpoints::Endpoints() {
  const std::size_t small_body = deps_.config->Current().server.max_unauthenticated_body_bytes;
  std::vector<Endpoint> out;
  out.push_back(
      Endpoint{"POST", "/livechat/{domain?}/login", Access::kLogin, small_body,
               "login: send Basic credentials, or a JSON body {\"username\", \"password\"}",
               [this](Call call, HttpRequest&& request, Responder respond) {
                 Login(call, std::move(request), respond);
               }});
  out.push_back(Endpoint{"POST", "/livechat/{domain?}/logout", Access::kUser, small_body,
                         std::nullopt, [this](Call call, HttpRequest&& request, Responder respond) {
                           auto shared = std::make_shared<HttpRequest>(std::move(request));
                           OnWorker(deps_, std::move(respond),
                                    [this, principal = std::move(*call.principal), shared](
                                        const Responder& r) { Logout(principal, *shared, r); });
                         }});
  return out;
}

void SessionEndpoints::Login(const Call& call, HttpRequest&& request, const Responder& respond) {
  const config::Domain* d = call.domain;
  // Credentials by Basic auth, checked before the body...
  if (call.principal) {
    if (call.principal->mechanism != auth::Mechanism::kBasic) {
      return respond(JsonError(400, "login: needs a user name and password"));
    }
    return OnWorker(deps_, respond, [this, d, principal = *call.principal](const Responder& r) {
      IssueSession(*d, principal, r);
    });
  }
  // ...or in the JSON body, checked now.
  auto login = DecodeLoginRequest(std::move(request.body));
  if (!login) return respond(ErrorResponse(login.error()));
  deps_.guard->CheckPassword(
      *d, request, std::move(login->username), std::move(login->password),
      [this, d, respond](AuthVerdict v) {
        if (!v.principal) return respond(std::move(v.refusal));
        OnWorker(deps_, respond,
                 [this, d, principal = std::move(*v.principal)](const Responder& r) {
                   IssueSession(*d, principal, r);
                 });
      });
}

void SessionEndpoints::IssueSession(const config::Domain& domain, const auth::Principal& principal,
                                    const Responder& respond) {
  auto issued = deps_.authenticator->Login(domain, principal);
  if (!issued) return respond(ErrorResponse(issued.error()));
  spdlog::info("api: user {} of domain {} logged in", principal.user, domain.name);
  respond(JsonAnswer(200, {{"result", true},
                           {"error", nullptr},
                           {"token", issued->token},
                           {"expiresAt", util::FormatUtcMillis(issued->expires_at_ms)}}));
}

void SessionEndpoints::Logout(const auth::Principal& principal, const HttpRequest& request,
                              const Responder& respond) {
  if (principal.mechanism != auth::Mechanism::kSession) {
    return respond(JsonError(400, "logout: send the session token (ctlivetoken) to end it"));
  }
  auto ended = deps_.authenticator->Logout(AuthGuard::SessionToken(request));
  if (!ended) return respond(ErrorResponse(ended.error()));
  respond(JsonAnswer(200, {{"result", true}, {"error", nullptr}}));
}

}  // namespace socialgate::api
