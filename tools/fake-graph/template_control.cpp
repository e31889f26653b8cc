// FakeGraph's control endpoints of the template listing: GET and PUT /_fake/templates (see
// fake_graph.hpp and template_listing.hpp).
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

}  // namespace socialgate::fake_graph
