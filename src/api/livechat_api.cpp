#include "api/livechat_api.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "api/query.hpp"
#include "core/text.hpp"

namespace socialgate::api {
namespace {

using http::Admission;
using http::AdmissionResponder;
using http::HttpRequest;
using http::HttpResponse;
using http::JsonError;
using http::Responder;

constexpr std::string_view kDefaultDomain = "default";

HttpResponse MethodNotAllowed(const std::string& allow) {
  HttpResponse r = JsonError(405, "this endpoint accepts only " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

HttpResponse NoSuchEndpoint(const HttpRequest& head) {
  return JsonError(404, "no such endpoint: " + core::QuoteForMessage(head.method, 16) + " " +
                            core::QuoteForMessage(head.path, 80));
}

// Accepts a body of up to `max_body_bytes` for `endpoint`'s handler, which gets `call`.
Admission Accept(const Endpoint& endpoint, Call call) {
  Admission a = Admission::Accept(
      endpoint.max_body_bytes,
      [handle = endpoint.handle, call = std::move(call)](HttpRequest&& request, Responder respond) {
        handle(call, std::move(request), std::move(respond));
      });
  a.route = endpoint.pattern;
  return a;
}

// A refusal of a request that matched `endpoint`: logged and counted under its route.
Admission Refuse(const Endpoint& endpoint, HttpResponse response) {
  Admission a = Admission::Refuse(std::move(response));
  a.route = endpoint.pattern;
  return a;
}

}  // namespace

LivechatApi::LivechatApi(ApiDependencies deps)
    : deps_(deps),
      send_(deps),
      messages_(deps),
      sessions_(deps),
      health_(deps),
      webhooks_(deps),
      callbacks_(deps),
      templates_(deps),
      sandbox_(deps),
      chats_(deps),
      transcripts_(deps) {
  Add(send_.Endpoints());
  Add(messages_.Endpoints());
  Add(sessions_.Endpoints());
  Add(health_.Endpoints());
  Add(webhooks_.Endpoints());
  Add(callbacks_.Endpoints());
  Add(templates_.Endpoints());
  Add(sandbox_.Endpoints());
  Add(chats_.Endpoints());
  Add(transcripts_.Endpoints());
}

void LivechatApi::Add(std::vector<Endpoint> endpoints) {
  for (auto& e : endpoints) {
    auto route = router_.Add(e.method, e.pattern);
    if (!route) {
      // The patterns are this program's own: a bad one is a bug, found by any test.
      spdlog::critical("api: {}", route.error().message);
      std::abort();
    }
    endpoints_.push_back(std::move(e));
  }
}

void LivechatApi::Admit(const HttpRequest& head, AdmissionResponder decide) {
  auto match = router_.Find(head.method, head.path);
  if (match.not_allowed) {
    return decide(Admission::Refuse(MethodNotAllowed(match.not_allowed->allow)));
  }
  if (!match.found) return decide(Admission::Refuse(NoSuchEndpoint(head)));
  const Endpoint& endpoint = endpoints_[match.found->route];
  const PathParams& params = match.found->params;

  Call call;
  for (const auto& [name, value] : params.All()) call.params.emplace_back(name, value);
  if (endpoint.access == Access::kPublic) return decide(Accept(endpoint, std::move(call)));

  const std::string_view domain_name = params.Get("domain").value_or(kDefaultDomain);
  call.domain = deps_.config->Current().FindDomain(domain_name);
  if (call.domain == nullptr) {
    return decide(
        Refuse(endpoint, JsonError(404, "unknown domain " + core::QuoteForMessage(domain_name))));
  }
  AdmitForDomain(endpoint, std::move(call), head, std::move(decide));
}

void LivechatApi::AdmitForDomain(const Endpoint& endpoint, Call call, const HttpRequest& head,
                                 AdmissionResponder decide) {
  // A login without an Authorization header carries its credentials in its body.
  const bool login_by_body =
      endpoint.access == Access::kLogin && head.Header("authorization").empty();
  const bool json_required =
      endpoint.json_body_refusal && (endpoint.access == Access::kUser || login_by_body);
  if (json_required && !IsJsonContentType(head.Header("content-type"))) {
    return decide(Refuse(endpoint, JsonError(415, *endpoint.json_body_refusal)));
  }
  if (login_by_body) return decide(Accept(endpoint, std::move(call)));
  const config::Domain& domain = *call.domain;
  deps_.guard->Authenticate(
      domain, head,
      [decide = std::move(decide), &endpoint, call = std::move(call)](AuthVerdict v) mutable {
        if (!v.principal) return decide(Refuse(endpoint, std::move(v.refusal)));
        call.principal = std::move(*v.principal);
        decide(Accept(endpoint, std::move(call)));
      });
}

}  // namespace socialgate::api
