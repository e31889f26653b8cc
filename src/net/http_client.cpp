#include "net/http_client.hpp"

#include <future>
#include <utility>

namespace socialgate::net {

std::string_view ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

core::Result<ClientResponse> HttpClient::Perform(ClientRequest request) {
  std::promise<core::Result<ClientResponse>> answer;
  auto answered = answer.get_future();
  Start(std::move(request),
        [&answer](core::Result<ClientResponse> result) { answer.set_value(std::move(result)); });
  return answered.get();
}

}  // namespace socialgate::net
