// File: tests/unit/support/sample_message.hpp
//
// A minimal new message (the seed's template to the seed's customer, no parameters), stored
// at `now_ms`, for tests that need messages in a store and care little what they say; and
// Template(), the template content of a test's message.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "store/records.hpp"

namespace socialgate::testing {

// The template content of `message` (throws std::bad_variant_access, failing the test, when it
// is another kind).
inline core::TemplateContent& Template(core::OutboundMessage& message) {
  return std::get<core::TemplateContent>(message.content);
}
inline const core::TemplateContent& Template(const core::OutboundMessage& message) {
  return std::get<core::TemplateContent>(message.content);
}

inline store::NewMessage SampleMessage(const std::string& id, std::int64_t now_ms) {
  store::NewMessage m;
  m.id = id;
  m.domain = "default";
  m.now_ms = now_ms;
  m.message.customer_phone = "393403603062";
  m.message.service_phone = "3902124122690";
  core::TemplateContent content;
  content.template_name = "shipping_confirmation";
  content.language = "en_GB";
  m.message.content = std::move(content);
  return m;
}

}  // namespace socialgate::testing
