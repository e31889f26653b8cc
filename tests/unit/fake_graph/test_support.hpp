// File: fake_graph/test_support.hpp
//
// Builds requests for FakeGraph and waits for its answer, which may come later from the timer
// thread (slow rules), so the tests go through the same Responder path as the server.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "fake-graph/fake_graph.hpp"
#include "http/message.hpp"

namespace socialgate::fake_graph::test_support {

inline constexpr char kToken[] = "test-token";

inline http::HttpRequest Request(std::string method, std::string path, std::string body = {},
                                 std::string content_type = {}, std::string query = {}) {
  http::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.remote_address = "127.0.0.1";
  return r;
}

inline http::HttpRequest WithBearer(http::HttpRequest r, std::string token = kToken) {
  r.headers.emplace_back("authorization", "Bearer " + token);
  return r;
}

// A valid send-template body.
inline nlohmann::json TemplateBody(std::string to = "+447700900123",
                                   std::string name = "order_update",
                                   std::string callback_id = {}) {
  nlohmann::json body = {
      {"messaging_product", "whatsapp"},
      {"recipient_type", "individual"},
      {"to", to},
      {"type", "template"},
      {"template",
       {{"name", name},
        {"language", {{"code", "en_GB"}, {"policy", "deterministic"}}},
        {"components",
         {{{"type", "body"}, {"parameters", {{{"type", "text"}, {"text", "Priya"}}}}}}}}}};
  if (!callback_id.empty()) body["biz_opaque_callback_data"] = callback_id;
  return body;
}

inline http::HttpRequest SendRequest(const nlohmann::json& body) {
  return WithBearer(
      Request("POST", "/v23.0/106540352242922/messages", body.dump(), "application/json"));
}

inline std::string MediaBody(const std::string& boundary, const std::string& mime,
                             const std::string& data) {
  return "--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
         "--" +
         boundary + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n" + mime + "\r\n--" +
         boundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
         "Content-Type: " +
         mime + "\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
}

inline http::HttpRequest MediaRequest(const std::string& mime, const std::string& data) {
  return WithBearer(Request("POST", "/v23.0/106540352242922/media", MediaBody("XyZ", mime, data),
                            "multipart/form-data; boundary=XyZ"));
}

// Calls Handle and waits (up to 5 s) for the answer.
inline http::HttpResponse Call(FakeGraph& graph, http::HttpRequest request) {
  auto promise = std::make_shared<std::promise<http::HttpResponse>>();
  auto future = promise->get_future();
  graph.Handle(std::move(request), http::Responder([promise](http::HttpResponse response) {
                 promise->set_value(std::move(response));
               }));
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    http::HttpResponse timeout;
    timeout.status = 999;
    return timeout;
  }
  return future.get();
}

inline nlohmann::json Json(const http::HttpResponse& r) { return nlohmann::json::parse(r.body); }

inline Options TestOptions() {
  Options o;
  o.token = kToken;
  return o;
}

}  // namespace socialgate::fake_graph::test_support
