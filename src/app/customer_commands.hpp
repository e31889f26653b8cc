// File: app/customer_commands.hpp
//
// `socialgate customers erase --config F --domain D --phone N [--json]`: a customer's data
// erased on request, as GDPR asks of a contact centre (store/conversations.hpp,
// Conversations::EraseCustomer): every message to and from the customer in the domain, with
// their media, history and callbacks, their chats and windows, and the applied webhook events
// that name their number. Prints what was deleted; works while the gateway serves (the shared
// database).
#pragma once

#include <cstdio>
#include <string>

#include "app/application.hpp"
#include "core/error.hpp"

namespace socialgate::app {

struct CustomerEraseOptions {
  std::string domain;
  std::string phone;  // as given: normalised as the API normalises numbers
  bool json = false;
};

// Erases and prints the counts; 0. An unknown domain or a number that is not one is an error.
core::Result<int> EraseCustomer(const ServeOptions& options, const CustomerEraseOptions& erase,
                                std::FILE* out);

}  // namespace socialgate::app
