// File: tests/unit/support/sample_message.hpp
//
// A minimal new message (the seed's template to the seed's customer, no parameters), stored
// at `now_ms`, for tests that need messages in a store and care little what they say.
#pragma once

#include <cstdint>
#include <string>

#include "store/records.hpp"

namespace socialgate::testing {

inline store::NewMessage SampleMessage(const std::string& id, std::int64_t now_ms) {
  store::NewMessage m;
  m.id = id;
  m.domain = "default";
  m.now_ms = now_ms;
  m.message.customer_phone = "393403603062";
  m.message.service_phone = "3902124122690";
  m.message.template_name = "shipping_confirmation";
  m.message.language = "en_GB";
  return m;
}

}  // namespace socialgate::testing
