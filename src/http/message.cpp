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

namespace detail {

// Calls `call` once, with the first value given; if it was never given one when the last copy
// of its owner goes, with `unanswered()` instead, so no request waits for ever.
template <class T>
class CallOnce {
 public:
  CallOnce(std::function<void(T)> call, T (*unanswered)())
      : call_(std::move(call)), unanswered_(unanswered) {}
  CallOnce(const CallOnce&) = delete;
  CallOnce& operator=(const CallOnce&) = delete;
  CallOnce(CallOnce&&) = delete;
  CallOnce& operator=(CallOnce&&) = delete;
  ~CallOnce() {
    if (!done_.exchange(true) && call_) call_(unanswered_());
  }

  void operator()(T value) {
    if (done_.exchange(true)) return;
    call_(std::move(value));
  }

 private:
  std::function<void(T)> call_;
  T (*unanswered_)();
  std::atomic<bool> done_{false};
};

}  // namespace detail

namespace {

HttpResponse Unanswered() { return JsonError(500, "internal error: the request was not answered"); }
Admission Unadmitted() { return Admission::Refuse(Unanswered()); }

}  // namespace

struct Responder::State : detail::CallOnce<HttpResponse> {
  using CallOnce::CallOnce;
};

Responder::Responder(std::function<void(HttpResponse)> send)
    : state_(std::make_shared<State>(std::move(send), &Unanswered)) {}

void Responder::operator()(HttpResponse response) const { (*state_)(std::move(response)); }

struct AdmissionResponder::State : detail::CallOnce<Admission> {
  using CallOnce::CallOnce;
};

AdmissionResponder::AdmissionResponder(std::function<void(Admission)> decide)
    : state_(std::make_shared<State>(std::move(decide), &Unadmitted)) {}

void AdmissionResponder::operator()(Admission admission) const { (*state_)(std::move(admission)); }

}  // namespace socialgate::http
