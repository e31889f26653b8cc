// File: fake-graph/json_response.hpp
//
// The JSON answers FakeGraph's handlers share (fake_graph.cpp, template_control.cpp): a body
// with a status, and the control API's error {"error":"<sentence>"}.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "http/message.hpp"

namespace socialgate::fake_graph {

// `body` compact, as application/json; invalid UTF-8 in it is replaced, never thrown.
inline http::HttpResponse JsonResponse(unsigned status, const nlohmann::ordered_json& body) {
  http::HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

// A control API refusal: {"error":"<message>"}.
inline http::HttpResponse ControlError(unsigned status, std::string_view message) {
  return JsonResponse(status, nlohmann::ordered_json{{"error", message}});
}

}  // namespace socialgate::fake_graph
