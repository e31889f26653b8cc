// File: app/message_commands.hpp
//
// `socialgate messages list | show | retry`: the outbox as an operator sees it, from the
// database the gateway uses (it may be serving meanwhile).
//
//   list   the messages of a domain (or of every domain of the configuration), newest first,
//          filtered as GET /livechat/{domain}/messages filters them (store::MessageQuery)
//   show   one message in full: its status, content, error, provider id and status history
//   retry  a failed message back in the queue (store::Outbox::RetryMessage): due at once, a
//          fresh attempt budget, its history kept with a `queued` event saying so. A running
//          gateway claims it at its next poll, within dispatch.poll_interval_ms.
//
// Tables by default, or --json (the API's message fields, api/message_json.hpp, with the
// domain). Messages' text and numbers go to stdout only, never to the log. A message that does
// not exist is kExitNotFound, a retry of one that is not failed kExitRefused (app/exit_codes.hpp),
// each with one sentence on `err`.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "app/application.hpp"
#include "core/error.hpp"

namespace socialgate::app {

struct MessageListOptions {
  std::string domain;                 // "": every domain of the configuration
  std::vector<std::string> statuses;  // status names, each may be a comma-separated list
  std::string phone;                  // the customer's number, as given
  std::string number;                 // the business number, as given
  std::string template_name;
  std::string from;  // RFC 3339 UTC, inclusive
  std::string to;    // RFC 3339 UTC, exclusive
  int limit = 100;   // 1..store::kMaxMessageListLimit
  bool json = false;
};

struct MessageOptions {
  std::string id;
  std::string domain;  // "": look in every domain of the configuration
  bool json = false;
};

core::Result<int> ListMessages(const ServeOptions& options, const MessageListOptions& list,
                               std::FILE* out);
core::Result<int> ShowMessage(const ServeOptions& options, const MessageOptions& show,
                              std::FILE* out, std::FILE* err);
core::Result<int> RetryMessage(const ServeOptions& options, const MessageOptions& retry,
                               std::FILE* out, std::FILE* err);

}  // namespace socialgate::app
