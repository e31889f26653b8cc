#include "customer_window.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace socialgate::testing {

HttpResponse PostSandboxCustomerMessage(HttpClient& client, const std::string& base_url,
                                        std::string_view domain, const Credentials& who,
                                        std::string_view service, std::string_view customer,
                                        std::string_view text) {
  const nlohmann::json body = {
      {"customerPhoneNumber", customer}, {"servicePhoneNumber", service}, {"text", text}};
  HttpResponse r = client.PostJson(
      base_url + "/livechat/" + std::string(domain) + "/sandbox/inboundMessage", body.dump(), who);
  EXPECT_EQ(r.status, 202) << r.Describe();
  return r;
}

HttpResponse PostOnceWindowOpens(HttpClient& client, const std::string& url,
                                 const nlohmann::json& body, const Credentials& who) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    HttpResponse r = client.PostJson(url, body.dump(), who);
    const bool refused_for_window =
        r.status == 422 && r.body.find("in the last 24 h") != std::string::npos;
    if (!refused_for_window || std::chrono::steady_clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace socialgate::testing
