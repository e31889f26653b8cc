#include "http/message.hpp"

#include <atomic>

#include <nlohmann/json.hpp>

namespace socialgate::http {

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpResponse JsonError(unsigned status, std::string_view message) {
  nlohmann::ordered_json body = {{"result", false}, {"error", message}};
  HttpResponse r;
  r.status = status;
  // Replace invalid UTF-8 rather than throw: the message may quote what the client sent.
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

struct Responder::State {
  std::function<void(HttpResponse)> send;
  std::atomic<bool> done{false};

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  State(State&&) = delete;
  State& operator=(State&&) = delete;
  ~State() {
    if (!done.exchange(true) && send) {
      send(JsonError(500, "internal error: the request was not answered"));
    }
  }
};

Responder::Responder(std::function<void(HttpResponse)> send) : state_(std::make_shared<State>()) {
  state_->send = std::move(send);
}

void Responder::operator()(HttpResponse response) const {
  if (state_->done.exchange(true)) return;
  state_->send(std::move(response));
}

struct AdmissionResponder::State {
  std::function<void(Admission)> decide;
  std::atomic<bool> done{false};

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  State(State&&) = delete;
  State& operator=(State&&) = delete;
  ~State() {
    if (!done.exchange(true) && decide) {
      decide(Admission::Refuse(JsonError(500, "internal error: the request was not answered")));
    }
  }
};

AdmissionResponder::AdmissionResponder(std::function<void(Admission)> decide)
    : state_(std::make_shared<State>()) {
  state_->decide = std::move(decide);
}

void AdmissionResponder::operator()(Admission admission) const {
  if (state_->done.exchange(true)) return;
  state_->decide(std::move(admission));
}

}  // namespace socialgate::http
