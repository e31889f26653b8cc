// File: tests/integration/customer_window.hpp
//
// The customer's 24-hour window for tests of free-form sends (text, media), which the gateway
// refuses until the customer has written to the business number:
//   - a sandbox number's customer writes through POST /livechat/{domain}/sandbox/inboundMessage,
//     answered once the message is applied (the window is then open);
//   - a Meta number's customer writes through tools/fake-graph (POST /_fake/inbound), whose
//     webhook reaches the gateway a moment later: PostOnceWindowOpens sends the message as soon
//     as the window has opened.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http_client.hpp"

namespace socialgate::testing {

// The sandbox customer `customer` writes `text` to `service` of `domain`; the answer (202).
HttpResponse PostSandboxCustomerMessage(HttpClient& client, const std::string& base_url,
                                        std::string_view domain, const Credentials& who,
                                        std::string_view service, std::string_view customer,
                                        std::string_view text = "Buongiorno");

// POSTs `body` (JSON) to `url` until the gateway no longer refuses it for the customer's window
// (each refusal stores and sends nothing), for up to 10 s; the last answer.
HttpResponse PostOnceWindowOpens(HttpClient& client, const std::string& url,
                                 const nlohmann::json& body, const Credentials& who);

}  // namespace socialgate::testing
