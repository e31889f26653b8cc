// FakeGraph's control endpoints of the template listing: GET and PUT /_fake/templates, and
// POST /_fake/template-status (see fake_graph.hpp and template_listing.hpp).
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fake-graph/fake_graph.hpp"
#include "fake-graph/json_response.hpp"
#include "fake-graph/template_listing.hpp"

namespace socialgate::fake_graph {

http::HttpResponse FakeGraph::HandleTemplatesControl(const http::HttpRequest& request) {
  if (request.method == "GET") {
    http::HttpResponse response;
    response.body = TemplateListingJson(*templates_.Current());
    return response;
  }
  if (request.method != "PUT") return ControlError(405, "use GET or PUT on /_fake/templates");
  auto templates = ParseTemplateListing(request.body);
  if (!templates) return ControlError(400, templates.error());
  const auto count = templates->size();
  templates_.Replace(std::move(*templates));
  spdlog::info("fake-graph: the template listing now holds {} templates", count);
  return JsonResponse(200, nlohmann::ordered_json{{"templates", count}});
}

http::HttpResponse FakeGraph::HandleTemplateStatus(const http::HttpRequest& request) {
  if (request.method != "POST") return ControlError(405, "use POST on /_fake/template-status");
  auto change = ParseTemplateStatusChange(request.body);
  if (!change) return ControlError(400, change.error());
  const auto changed = templates_.SetStatus(change->name, change->language, change->event);
  if (!changed) {
    return ControlError(404, "the listing has no template '" + change->name + "' in language '" +
                                 change->language + "'");
  }
  // Without a dispatcher or a target, the listing changes and no webhook is posted.
  bool queued = false;
  if (webhooks_) {
    TemplateStatusEvent event;  // waba_id and time are filled when it is posted
    event.event = change->event;
    event.template_id = changed->id;
    event.template_name = changed->name;
    event.template_language = changed->language;
    event.reason = change->reason;
    queued = webhooks_->AddTemplateEvent(std::move(event));
  }
  spdlog::info("fake-graph: template {} ({}) is now {}{}", changed->name, changed->language,
               changed->status, queued ? ", webhook queued" : "");
  return JsonResponse(200, nlohmann::ordered_json{{"id", std::to_string(changed->id)},
                                                  {"name", changed->name},
                                                  {"language", changed->language},
                                                  {"status", changed->status},
                                                  {"webhook_queued", queued}});
}

}  // namespace socialgate::fake_graph
